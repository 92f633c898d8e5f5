#!/usr/bin/env node
// The `deputy` command of the CLI package: the bundle that `npm run build` (and `npm pack`) makes
// from cli/*.ts — one file, no dependencies to install. From a checkout without a bundle, the
// TypeScript sources through tsx (the console's dependency), so `npx deputy` works either way.
try {
  await import("../dist/deputy.mjs");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("deputy.mjs")) throw error;
  let tsx;
  try {
    tsx = await import("tsx/esm/api");
  } catch {
    process.stderr.write(
      "deputy: this copy of the CLI has no bundle (cli/dist/deputy.mjs): run `npm ci` at the checkout's root and `npm run build` in cli/, or install the packed tarball (npm pack ./cli).\n",
    );
    process.exit(2);
  }
  tsx.register();
  await import("../main.ts");
}

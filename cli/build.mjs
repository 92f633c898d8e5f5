// Bundles the CLI into dist/deputy.mjs: commander and cli/*.ts in one ESM file, nothing of
// Next.js, React or Prisma (cli/ imports lib/ for types only, erased here). Run by `npm run
// build`, and by npm itself on `npm pack` (prepack) and on install from a folder (prepare).
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
let build;
try {
  ({ build } = await import("esbuild"));
} catch {
  // `prepare` runs on installs from a folder or a tarball too, where esbuild (a dev dependency of
  // the checkout) is absent: a packed tarball already holds its bundle, so there is nothing to do.
  if (process.argv.includes("--if-possible")) {
    if (!existsSync(`${here}dist/deputy.mjs`)) {
      console.warn(
        "deputy-cli: no bundle and no esbuild here: run `npm ci` at the checkout's root, then `npm run build` in cli/.",
      );
    }
    process.exit(0);
  }
  throw new Error("esbuild is missing: run `npm ci` at the checkout's root first.");
}
const { version } = JSON.parse(readFileSync(new URL("package.json", import.meta.url), "utf8"));

await build({
  entryPoints: [`${here}main.ts`],
  outfile: `${here}dist/deputy.mjs`,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  keepNames: true,
  legalComments: "none",
  // commander is CommonJS: its require("node:events") needs a real require in an ES module.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  define: { __DEPUTY_VERSION__: JSON.stringify(version) },
  // Prisma, Next or React in the bundle would mean cli/ imported the server's code for real.
  plugins: [
    {
      name: "no-server-code",
      setup(b) {
        b.onResolve({ filter: /^(@prisma|next|react|@\/)/ }, (args) => ({
          errors: [{ text: `the CLI must not import ${args.path} at run time (use import type)` }],
        }));
      },
    },
  ],
  logLevel: "warning",
});

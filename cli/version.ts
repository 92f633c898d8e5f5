// The version `deputy --version` prints. The bundle (cli/build.mjs) has it built in from
// cli/package.json, so the installed CLI reads no file to start; from the TypeScript sources
// (a checkout's `npx deputy`) it is read from cli/package.json next to this file.
import fs from "node:fs";

declare const __DEPUTY_VERSION__: string | undefined;

/** The CLI package's version, or "unknown" when it cannot be read. */
export function deputyVersion(): string {
  if (typeof __DEPUTY_VERSION__ === "string") return __DEPUTY_VERSION__;
  try {
    const manifest = JSON.parse(fs.readFileSync(new URL("./package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}

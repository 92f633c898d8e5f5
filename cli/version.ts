// The version `deputy --version` prints: the repository's package.json, read at run time next to
// this file (cli/../package.json), so a checkout, a global install and a pipeline all report the
// version they run, with nothing generated at build time.
import fs from "node:fs";

/** The version in ../package.json, or "unknown" when it cannot be read. */
export function deputyVersion(): string {
  try {
    const manifest = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: unknown;
    };
    return typeof manifest.version === "string" ? manifest.version : "unknown";
  } catch {
    return "unknown";
  }
}

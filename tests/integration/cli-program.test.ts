// The `deputy` program itself, as a spawned process (bin/deputy.mjs): its version, and the nouns
// its help lists. No API needed.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const BIN = path.resolve(import.meta.dirname, "../../bin/deputy.mjs");
const PACKAGE = path.resolve(import.meta.dirname, "../../cli/package.json");
const ROOT_PACKAGE = path.resolve(import.meta.dirname, "../../package.json");

type Result = { code: number; stdout: string; stderr: string };

function deputy(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH, NODE_ENV: "test" }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("deputy (spawned)", () => {
  it("--version and -V print the version of the CLI package (the console's own), exit 0", async () => {
    const { version } = JSON.parse(fs.readFileSync(PACKAGE, "utf8")) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    // One product, one version: the CLI package moves with the console.
    expect((JSON.parse(fs.readFileSync(ROOT_PACKAGE, "utf8")) as { version: string }).version).toBe(version);
    for (const flag of ["--version", "-V"]) {
      expect(await deputy([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
  });

  it("exits quietly when the reader closes the pipe early (deputy … | head)", async () => {
    // The read end is closed before the CLI writes anything, so every write meets EPIPE.
    const child = spawn(process.execPath, [BIN, "--help"], {
      env: { PATH: process.env.PATH, NODE_ENV: "test" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  });
});

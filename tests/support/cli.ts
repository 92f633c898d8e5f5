// The real `deputy` binary, spawned: what every CLI test runs, with nothing of the test process's
// environment but PATH (and what the caller passes), so a test sees what a CI job would.
import { spawn } from "node:child_process";
import path from "node:path";

export const DEPUTY_BIN = path.resolve(import.meta.dirname, "../../bin/deputy.mjs");

export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * Runs `deputy <args>` in its own process; resolves with its exit code and output, never throws.
 * `input` is written to its standard input (closed either way, as in a CI job).
 */
export function runDeputy(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: { input?: string; bin?: string; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const bin = options.bin ?? DEPUTY_BIN;
    const child = spawn(
      bin.endsWith(".mjs") ? process.execPath : bin,
      bin.endsWith(".mjs") ? [bin, ...args] : args,
      {
        env: { PATH: process.env.PATH, NODE_ENV: "test", ...env },
        cwd: options.cwd,
        stdio: ["pipe", "pipe", "pipe"],
        timeout: 30_000,
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(options.input ?? "");
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

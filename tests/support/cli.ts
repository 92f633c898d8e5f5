// The real `deputy` binary, spawned: what every CLI test runs, with nothing of the test process's
// environment but PATH (and what the caller passes), so a test sees what a CI job would.
import { execFile } from "node:child_process";
import path from "node:path";

export const DEPUTY_BIN = path.resolve(import.meta.dirname, "../../bin/deputy.mjs");

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs `deputy <args>` in its own process; resolves with its exit code and output, never throws. */
export function runDeputy(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [DEPUTY_BIN, ...args],
      { env: { PATH: process.env.PATH, NODE_ENV: "test", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// deputy run -- <command …>: runs a command with a fresh credential in its environment, for the
// job that should not hold a long-lived secret of its own (a nightly retraining job, an Airflow
// or Prefect task). With an API key, the child gets DEPUTY_API_KEY and DEPUTY_HOST. With a
// workload JWT (DEPUTY_IDENTITY_TOKEN_FILE), the JWT is exchanged, and the child gets the access
// token in DEPUTY_API_KEY and in DEPUTY_TOKEN_FILE — a 0600 file in a private temporary directory
// that is rewritten (atomically) before each token expires, for jobs that outlive one token — and
// the directory is removed when the command ends. Signals are passed on, and `deputy run` exits
// with the command's exit code (128 + the signal's number when a signal ended it, as shells do).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CliContext, Env } from "./context";
import { UsageError, writePrivately } from "./identity-token";

const RETRY_MS = 30_000;

/**
 * When to refresh a token that expires at `expiresAt`: a tenth of its life before it, at least a
 * minute before (and at once if that has passed), so the file never holds an expired token while
 * the exchange answers.
 */
export function refreshDelayMs(expiresAt: number, issuedAt: number, now = Date.now()): number {
  const life = Math.max(0, expiresAt - issuedAt);
  const margin = Math.min(Math.max(life / 10, 60_000), life / 2);
  return Math.max(0, expiresAt - margin - now);
}

type Token = { token: string; expiresAt: string };

/**
 * Keeps `file` holding a live access token: writes `first`, then calls `renew` before each token
 * expires (again every RETRY_MS while it fails, with one warning per failure).
 */
export function keepTokenFresh(
  file: string,
  first: Token,
  renew: () => Promise<Token>,
  warn: (line: string) => void,
): { stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const write = (t: Token) => {
    if (!writePrivately(file, `${t.token}\n`)) warn(`deputy: warning: could not write ${file}.`);
  };
  const schedule = (t: Token, issuedAt: number) => {
    if (stopped) return;
    timer = setTimeout(() => void refresh(), refreshDelayMs(Date.parse(t.expiresAt), issuedAt));
    // The child's life decides when we exit, not this timer.
    timer.unref();
  };
  const refresh = async () => {
    try {
      const next = await renew();
      if (stopped) return;
      write(next);
      schedule(next, Date.now());
    } catch (error) {
      if (stopped) return;
      warn(
        `deputy: warning: could not refresh the access token (${(error as Error).message}); retrying in 30 s.`,
      );
      timer = setTimeout(() => void refresh(), RETRY_MS);
      timer.unref();
    }
  };
  write(first);
  schedule(first, Date.now());
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

const FORWARDED = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

/** Runs `argv` with the context's credential; resolves to the exit code to exit with. */
export async function runWithCredential(context: CliContext, argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command) throw new UsageError("Name the command to run: deputy run -- <command …>.");
  const source = context.credentialSource();
  const host = context.host();
  const childEnv: Env = { ...context.env, DEPUTY_HOST: host };
  let keeper: { stop: () => void } | null = null;
  let dir: string | null = null;
  if (source.kind === "identity_token") {
    const first = await context.exchange();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-run-"));
    const file = path.join(dir, "access-token");
    keeper = keepTokenFresh(
      file,
      first,
      () => context.exchange({ fresh: true }),
      (line) => context.io.stderr.write(`${line}\n`),
    );
    Object.assign(childEnv, { DEPUTY_API_KEY: first.token, DEPUTY_TOKEN_FILE: file });
  } else if (source.kind === "api_key") {
    childEnv.DEPUTY_API_KEY = source.key;
  }
  // A token file given to us is passed on as it is: whoever writes it keeps it fresh.

  const child = spawn(command, args, { stdio: "inherit", env: childEnv as NodeJS.ProcessEnv });
  // Ctrl-C at a terminal reaches the whole process group, the child included: passing SIGINT on
  // as well would interrupt its clean-up. Without a terminal, a SIGINT came from `kill`: pass it.
  const interactive = process.stdin.isTTY === true;
  const handlers = FORWARDED.map((signal) => {
    const handler = signal === "SIGINT" && interactive ? () => undefined : () => child.kill(signal);
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once("error", (error: NodeJS.ErrnoException) =>
        reject(
          error.code === "ENOENT"
            ? new UsageError(`${command}: command not found.`)
            : new UsageError(`${command} could not be started (${error.code ?? error.message}).`),
        ),
      );
      child.once("exit", (code, signal) =>
        resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0)),
      );
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    keeper?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

// A Deputy production server of a test's own (the shared ones are started by playwright.config.ts),
// for tests that must kill it, restart it, or read what it prints.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export type OwnServer = {
  url: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Kills the process with SIGKILL — no shutdown hooks, as a crash or an OOM kill would. */
  crash(): Promise<void>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** The exit code once it exited (null while it runs or when killed by a signal). */
  exitCode(): number | null;
};

const ROOT = path.resolve(import.meta.dirname, "..", "..");

export async function startOwnServer(options: {
  port: number;
  /** DATABASE_URL of the server (see e2e/support/database.ts). */
  databaseUrl: string;
  env?: Record<string, string>;
}): Promise<OwnServer> {
  const url = `http://127.0.0.1:${options.port}`;
  let printed = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(options.port),
      DATABASE_URL: options.databaseUrl,
      DEPUTY_PUBLIC_URL: url,
      NEXT_TELEMETRY_DISABLED: "1",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const deadline = Date.now() + 120_000;
  while (!printed.includes("Deputy is ready")) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${printed}`);
    if (Date.now() > deadline) throw new Error(`The server did not start in time:\n${printed}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    output: () => printed,
    exitCode: () => child.exitCode,
    async crash() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

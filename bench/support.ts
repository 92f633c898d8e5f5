// Shared by the benchmarks: a fresh database per engine, and waiting for a spawned server.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createDatabase } from "../tests/support/engine";
import { ROOT } from "../scripts/lib";

/**
 * An empty database for a benchmark: `data/<name>.db` on SQLite, or database `deputy_<name>` on
 * the PostgreSQL server of BENCH_DATABASE_URL (a role that may create databases).
 */
export async function freshBenchDatabase(engine: string, name: string): Promise<string> {
  if (engine === "postgresql") {
    const server = process.env.BENCH_DATABASE_URL;
    if (!server) throw new Error("Set BENCH_DATABASE_URL (a role that may create databases) for PostgreSQL.");
    return createDatabase(`deputy_${name.replace(/-/g, "_")}`, undefined, server);
  }
  const file = path.join(ROOT, "data", `${name}.db`);
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${file}${suffix}`, { force: true });
  return `file:${file}`;
}

/** Resolves once `url` answers at all; throws if the server exits or takes longer than `timeoutMs`. */
export async function waitForServer(url: string, child: ChildProcess, timeoutMs = 300_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`timed out waiting for ${url}`);
}

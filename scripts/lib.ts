// Shared steps of the start and seed scripts.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ConfigError, parseConfig, type DeputyConfig } from "../lib/config/env";
import { isPostgresUrl, sqliteFilePath } from "../lib/config/database-url";
import { databaseProblem } from "./database-check";
import { runMigrateDeploy } from "./prisma-env";

export const ROOT = path.resolve(import.meta.dirname, "..");

/** Parses the configuration, or prints every problem and exits. */
export function loadConfigOrExit(): DeputyConfig {
  try {
    return parseConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Deputy cannot start. ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Checks that the database is reachable and writable, then applies pending migrations (a no-op
 * when up to date). Any failure prints one line that says what to do, and exits.
 */
export async function migrate(config: DeputyConfig): Promise<void> {
  const postgres = isPostgresUrl(config.databaseUrl);
  if (!postgres) {
    fs.mkdirSync(path.dirname(path.resolve(ROOT, sqliteFilePath(config.databaseUrl))), { recursive: true });
  }
  const problem = await databaseProblem(config.databaseUrl, ROOT);
  if (problem) {
    console.error(`Deputy cannot start. ${problem}`);
    process.exit(1);
  }
  const result = runMigrateDeploy(config.databaseUrl, ROOT);
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`;
    // Prisma's WebAssembly engine reports a lock as an unknown "SocketTimeout" variant.
    const line = /SocketTimeout|database is locked|SQLITE_BUSY/.test(output)
      ? "Another process holds the database file: stop it, then start Deputy again."
      : (/Error: (.+)/.exec(output)?.[1] ?? "see `npm run prisma -- migrate deploy` for details");
    console.error(`Deputy cannot start. Migrating the database failed: ${line}`);
    process.exit(1);
  }
  if (!postgres) {
    // Write-ahead logging lets the credential lookup read while a write is in progress. It is a
    // property of the database file, so setting it once is enough.
    const sqlite = new Database(path.resolve(ROOT, sqliteFilePath(config.databaseUrl)));
    sqlite.pragma("journal_mode = WAL");
    sqlite.close();
  }
}

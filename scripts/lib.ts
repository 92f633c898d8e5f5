// Shared steps of the start and seed scripts.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { ConfigError, parseConfig, type DeputyConfig } from "../lib/config/env";
import { sqliteFilePath } from "../lib/config/database-url";
import { prismaCliEnv } from "./prisma-env";

export const ROOT = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

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

/** Creates the database's folder and applies pending migrations (a no-op when up to date). */
export function migrate(config: DeputyConfig): void {
  fs.mkdirSync(path.dirname(path.resolve(ROOT, sqliteFilePath(config.databaseUrl))), { recursive: true });
  const cli = require.resolve("prisma/build/index.js");
  const result = spawnSync(process.execPath, [cli, "migrate", "deploy"], {
    cwd: ROOT,
    env: prismaCliEnv({ ...process.env, DATABASE_URL: config.databaseUrl }),
    encoding: "utf8",
  });
  if (result.status !== 0) {
    console.error(`Database migration failed:\n${result.stdout}\n${result.stderr}`);
    process.exit(1);
  }
  // Write-ahead logging lets the console and the API read while the other writes. It is a
  // property of the database file, so setting it once is enough.
  const sqlite = new Database(path.resolve(ROOT, sqliteFilePath(config.databaseUrl)));
  sqlite.pragma("journal_mode = WAL");
  sqlite.close();
}

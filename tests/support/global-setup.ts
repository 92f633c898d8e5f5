// Builds one migrated template database per test run — a SQLite file, or a PostgreSQL database
// when DEPUTY_TEST_ENGINE=postgresql — and each test file then gets its own copy.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { prismaCliEnv } from "../../scripts/prisma-env";
import { TEST_ENGINE, createDatabase, dropDatabases } from "./engine";

export const TEMPLATE_DIR = path.resolve(import.meta.dirname, "..", "..", "data", "test");
export const PG_TEMPLATE = "deputy_test_template";
export const PG_PREFIX = "deputy_test_";

function migrateDeploy(databaseUrl: string): void {
  const require = createRequire(import.meta.url);
  const result = spawnSync(
    process.execPath,
    [require.resolve("prisma/build/index.js"), "migrate", "deploy"],
    {
      env: prismaCliEnv({ ...process.env, DATABASE_URL: databaseUrl }),
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}

export default async function setup() {
  fs.rmSync(TEMPLATE_DIR, { recursive: true, force: true });
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  if (TEST_ENGINE === "postgresql") {
    await dropDatabases(PG_PREFIX);
    migrateDeploy(await createDatabase(PG_TEMPLATE));
    return async () => dropDatabases(PG_PREFIX);
  }
  migrateDeploy(`file:${path.join(TEMPLATE_DIR, "template.db")}`);
  return undefined;
}

// Builds one migrated template database per test run — a SQLite file, or a PostgreSQL database
// when DEPUTY_TEST_ENGINE=postgresql — and each test file then gets its own copy.
import fs from "node:fs";
import path from "node:path";
import { migrateDeployOrThrow } from "../../scripts/prisma-env";
import { TEST_ENGINE, createDatabase, dropDatabases } from "./engine";

export const TEMPLATE_DIR = path.resolve(import.meta.dirname, "..", "..", "data", "test");
export const PG_TEMPLATE = "deputy_test_template";
export const PG_PREFIX = "deputy_test_";

export default async function setup() {
  fs.rmSync(TEMPLATE_DIR, { recursive: true, force: true });
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  if (TEST_ENGINE === "postgresql") {
    await dropDatabases(PG_PREFIX);
    migrateDeployOrThrow(await createDatabase(PG_TEMPLATE));
    return async () => dropDatabases(PG_PREFIX);
  }
  migrateDeployOrThrow(`file:${path.join(TEMPLATE_DIR, "template.db")}`);
  return undefined;
}

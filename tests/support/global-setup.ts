// Builds one migrated template database per test run — a SQLite file, or a PostgreSQL database
// when DEPUTY_TEST_ENGINE=postgresql — and each test file then gets its own copy.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { migrateDeployOrThrow } from "../../scripts/prisma-env";
import { TEST_ENGINE, createDatabase, dropDatabases } from "./engine";

// Each run has its own id, inherited by the test workers, so two runs on one machine (a developer
// running one file while the suite runs) never remove each other's databases.
process.env.DEPUTY_TEST_RUN ??= crypto.randomUUID().replace(/-/g, "").slice(0, 8);
const RUN = process.env.DEPUTY_TEST_RUN;
export const TEMPLATE_DIR = path.resolve(import.meta.dirname, "..", "..", "data", "test", RUN);
export const PG_PREFIX = `deputy_test_${RUN}_`;
export const PG_TEMPLATE = `${PG_PREFIX}template`;

export default async function setup() {
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  if (TEST_ENGINE === "postgresql") {
    migrateDeployOrThrow(await createDatabase(PG_TEMPLATE));
    return async () => dropDatabases(PG_PREFIX);
  }
  migrateDeployOrThrow(`file:${path.join(TEMPLATE_DIR, "template.db")}`);
  return () => fs.rmSync(TEMPLATE_DIR, { recursive: true, force: true });
}

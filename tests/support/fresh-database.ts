// Runs before each test file: a private copy of the migrated template database, so files never
// share rows and every test runs on a real database (a SQLite file, or a PostgreSQL database
// when DEPUTY_TEST_ENGINE=postgresql), not a mock.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { TEST_ENGINE, createDatabase } from "./engine";

// DEPUTY_TEST_RUN: this run's id, set by global-setup.ts (its databases carry it).
const run = process.env.DEPUTY_TEST_RUN!;
if (TEST_ENGINE === "postgresql") {
  const name = `deputy_test_${run}_${crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`;
  process.env.DATABASE_URL = await createDatabase(name, `deputy_test_${run}_template`);
} else {
  const dir = path.resolve(import.meta.dirname, "..", "..", "data", "test", run);
  const file = path.join(dir, `${crypto.randomUUID()}.db`);
  fs.copyFileSync(path.join(dir, "template.db"), file);
  process.env.DATABASE_URL = `file:${file}`;
}
process.env.DEPUTY_AUTH_FAIL_LIMIT ??= "30";
delete (globalThis as { deputyDb?: unknown }).deputyDb;
delete (globalThis as { deputyCredentialLookup?: unknown }).deputyCredentialLookup;

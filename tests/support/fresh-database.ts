// Runs before each test file: a private copy of the migrated template database, so files never
// share rows and every test runs on a real SQLite file, not a mock.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const dir = path.resolve(import.meta.dirname, "..", "..", "data", "test");
const file = path.join(dir, `${crypto.randomUUID()}.db`);
fs.copyFileSync(path.join(dir, "template.db"), file);
process.env.DATABASE_URL = `file:${file}`;
process.env.DEPUTY_AUTH_FAIL_LIMIT ??= "30";
delete (globalThis as { deputyDb?: unknown }).deputyDb;

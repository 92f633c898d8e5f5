// Builds one migrated SQLite template per test run; each test file then gets its own copy.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { prismaCliEnv } from "../../scripts/prisma-env";

export const TEMPLATE_DIR = path.resolve(import.meta.dirname, "..", "..", "data", "test");

export default function setup() {
  fs.rmSync(TEMPLATE_DIR, { recursive: true, force: true });
  fs.mkdirSync(TEMPLATE_DIR, { recursive: true });
  const require = createRequire(import.meta.url);
  const result = spawnSync(
    process.execPath,
    [require.resolve("prisma/build/index.js"), "migrate", "deploy"],
    {
      env: prismaCliEnv({ ...process.env, DATABASE_URL: `file:${path.join(TEMPLATE_DIR, "template.db")}` }),
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}

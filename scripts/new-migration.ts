// Writes the next migration for both engines: `npm run db:new-migration -- <name>`.
//
// `prisma migrate dev` needs a shadow database that the WebAssembly engine cannot drive, so the
// next migration is the diff between the schema as last committed (git HEAD) and the working
// copy — once for SQLite (prisma/migrations) and once for PostgreSQL (prisma/postgresql/
// migrations, from the derived schema). prisma/postgresql/schema.prisma is rewritten first.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { prismaCliEnv } from "./prisma-env";
import {
  POSTGRES_MIGRATIONS,
  POSTGRES_SCHEMA,
  ROOT,
  SQLITE_MIGRATIONS,
  SQLITE_SCHEMA,
  fixSqliteMigration,
  postgresSchema,
  writePostgresSchema,
} from "./schema-variants";

const name = (process.argv[2] ?? "").trim();
if (!/^[a-z0-9_]{1,60}$/.test(name)) {
  console.error("Usage: npm run db:new-migration -- <name>   (lowercase letters, digits and _)");
  process.exit(2);
}

let committed: string;
try {
  committed = execFileSync("git", ["show", "HEAD:prisma/schema.prisma"], { cwd: ROOT, encoding: "utf8" });
} catch {
  console.error(
    "Cannot read prisma/schema.prisma at git HEAD: commit the schema of the last migration first.",
  );
  process.exit(1);
}
writePostgresSchema();

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-schema-"));
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);

const engines = [
  {
    label: "SQLite",
    previous: committed,
    schema: SQLITE_SCHEMA,
    dir: SQLITE_MIGRATIONS,
    fix: fixSqliteMigration,
  },
  {
    label: "PostgreSQL",
    previous: postgresSchema(committed),
    schema: POSTGRES_SCHEMA,
    dir: POSTGRES_MIGRATIONS,
    fix: (sql: string) => sql,
  },
];
let wrote = 0;
for (const engine of engines) {
  const previousFile = path.join(tmp, `${engine.label}.prisma`);
  fs.writeFileSync(previousFile, engine.previous);
  const diff = spawnSync(
    process.execPath,
    [
      cli,
      "migrate",
      "diff",
      "--from-schema-datamodel",
      previousFile,
      "--to-schema-datamodel",
      engine.schema,
      "--script",
    ],
    { cwd: ROOT, env: prismaCliEnv(), encoding: "utf8" },
  );
  if (diff.status !== 0) {
    process.stderr.write(diff.stderr);
    process.exit(diff.status ?? 1);
  }
  if (/^-- This is an empty migration\.\s*$/m.test(diff.stdout) || diff.stdout.trim() === "") continue;
  const dir = path.join(engine.dir, `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), engine.fix(diff.stdout));
  console.log(`Wrote ${path.relative(ROOT, dir)}/migration.sql (${engine.label})`);
  wrote += 1;
}
console.log(
  wrote === 0
    ? "The schema has not changed since HEAD: no migration written."
    : "Review them, then commit them with both schemas. The drift test checks that both engines agree.",
);

// One source of truth, two engines. prisma/schema.prisma (SQLite) is the schema people edit;
// prisma/postgresql/schema.prisma is derived from it by `postgresSchema` and committed, so the
// models cannot drift (tests/integration/schema-drift.test.ts checks both files and both
// migration folders).
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const SQLITE_SCHEMA = path.join(ROOT, "prisma", "schema.prisma");
export const POSTGRES_SCHEMA = path.join(ROOT, "prisma", "postgresql", "schema.prisma");
export const SQLITE_MIGRATIONS = path.join(ROOT, "prisma", "migrations");
export const POSTGRES_MIGRATIONS = path.join(ROOT, "prisma", "postgresql", "migrations");

/** Indexes Prisma's schema language cannot express, appended to each engine's first migration. */
export const HAND_WRITTEN_INDEXES = `
-- Hand-written: a service account's name is unique in its org among live (not deleted) accounts.
CREATE UNIQUE INDEX "ServiceAccount_orgId_name_live_key" ON "ServiceAccount"("orgId", "name") WHERE "deletedAt" IS NULL;
`;

/** The PostgreSQL schema for a SQLite schema text: same models, another provider and client. */
export function postgresSchema(sqlite: string): string {
  const replaced = sqlite
    .replace(
      /^\/\/ Deputy's data model.*\n\/\/ not tables.*\n\/\/ prisma\/postgresql.*$/m,
      "// GENERATED from prisma/schema.prisma by scripts/schema-variants.ts — edit that file, then run\n// `npm run db:new-migration -- <name>`, which rewrites this one.\n// Deputy's data model (SPEC §1), PostgreSQL flavour.",
    )
    .replace(/output(\s*)= "\.\.\/lib\/generated\/prisma"/, 'output$1= "../../lib/generated/prisma-pg"')
    .replace(/provider = "sqlite"/, 'provider = "postgresql"')
    .replace(/url(\s*)= "file:[^"]*"/, 'url$1= "postgresql://localhost/deputy"');
  for (const needle of ['"../../lib/generated/prisma-pg"', '"postgresql"', "postgresql://localhost/deputy"]) {
    if (!replaced.includes(needle)) throw new Error(`schema-variants: could not derive ${needle}`);
  }
  return replaced;
}

/** Rewrites prisma/postgresql/schema.prisma from prisma/schema.prisma; true when it changed. */
export function writePostgresSchema(): boolean {
  const next = postgresSchema(fs.readFileSync(SQLITE_SCHEMA, "utf8"));
  const current = fs.existsSync(POSTGRES_SCHEMA) ? fs.readFileSync(POSTGRES_SCHEMA, "utf8") : "";
  if (current === next) return false;
  fs.mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  fs.writeFileSync(POSTGRES_SCHEMA, next);
  return true;
}

/**
 * Prisma 6.19 writes a JSON column's default unquoted for SQLite (`DEFAULT {}`), which SQLite
 * refuses; quote it.
 */
export function fixSqliteMigration(sql: string): string {
  return sql.replace(
    / JSONB NOT NULL DEFAULT (\{[^\n,]*\})/g,
    (_m, json: string) => ` JSONB NOT NULL DEFAULT '${json}'`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  console.log(
    writePostgresSchema()
      ? "Wrote prisma/postgresql/schema.prisma."
      : "prisma/postgresql/schema.prisma is up to date.",
  );
}

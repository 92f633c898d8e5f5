// One schema, two engines: the PostgreSQL schema is exactly the one derived from the SQLite
// schema, and both migration folders build the same tables, columns and indexes.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrateDeployOrThrow } from "../../scripts/prisma-env";
import { POSTGRES_SCHEMA, SQLITE_SCHEMA, postgresSchema } from "../../scripts/schema-variants";
import { TEST_ENGINE, createDatabase } from "../support/engine";

type Shape = {
  columns: Record<string, Record<string, { nullable: boolean }>>;
  indexes: Record<string, { table: string; columns: string[]; unique: boolean; partial: boolean }>;
};

function sqliteShape(file: string): Shape {
  const db = new Database(file, { readonly: true });
  const shape: Shape = { columns: {}, indexes: {} };
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
    )
    .all() as { name: string }[];
  for (const { name } of tables) {
    shape.columns[name] = {};
    for (const c of db.prepare(`SELECT name, "notnull", pk FROM pragma_table_info(?)`).all(name) as {
      name: string;
      notnull: number;
      pk: number;
    }[]) {
      shape.columns[name][c.name] = { nullable: c.notnull === 0 && c.pk === 0 };
    }
  }
  const indexes = db
    .prepare(
      `SELECT name, tbl_name AS "table", sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`,
    )
    .all() as { name: string; table: string; sql: string }[];
  for (const index of indexes) {
    const columns = (
      db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).all(index.name) as {
        name: string;
      }[]
    ).map((c) => c.name);
    shape.indexes[index.name] = {
      table: index.table,
      columns,
      unique: /^CREATE UNIQUE/i.test(index.sql),
      partial: /\bWHERE\b/i.test(index.sql),
    };
  }
  db.close();
  return shape;
}

async function postgresShape(databaseUrl: string): Promise<Shape> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const shape: Shape = { columns: {}, indexes: {} };
    const columns = await client.query<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    for (const c of columns.rows) {
      (shape.columns[c.table_name] ??= {})[c.column_name] = { nullable: c.is_nullable === "YES" };
    }
    const indexes = await client.query<{
      name: string;
      table: string;
      columns: string[];
      unique: boolean;
      partial: boolean;
    }>(
      `SELECT i.relname AS name, t.relname AS "table", ix.indisunique AS unique, ix.indpred IS NOT NULL AS partial,
              ARRAY(SELECT a.attname FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND NOT ix.indisprimary AND t.relname <> '_prisma_migrations'`,
    );
    for (const { name, ...index } of indexes.rows) shape.indexes[name] = index;
    return shape;
  } finally {
    await client.end();
  }
}

describe("schema drift", () => {
  it("keeps prisma/postgresql/schema.prisma exactly the derivation of prisma/schema.prisma", () => {
    expect(fs.readFileSync(POSTGRES_SCHEMA, "utf8")).toBe(
      postgresSchema(fs.readFileSync(SQLITE_SCHEMA, "utf8")),
    );
  });

  // Needs both engines; it runs in the PostgreSQL pass of `npm test`.
  it.runIf(TEST_ENGINE === "postgresql")(
    "builds the same tables, columns and indexes from both migration folders",
    async () => {
      const file = path.resolve("data", "test", `drift-${crypto.randomUUID()}.db`);
      migrateDeployOrThrow(`file:${file}`);
      const postgresUrl = await createDatabase(`deputy_test_drift_${crypto.randomBytes(4).toString("hex")}`);
      migrateDeployOrThrow(postgresUrl);

      const sqlite = sqliteShape(file);
      const postgres = await postgresShape(postgresUrl);
      // The audit search index is each engine's own on purpose (lib/audit/search.ts): SQLite's
      // FTS5 table (and its shadow tables) kept by triggers, PostgreSQL's trigram indexes. Both
      // must exist; neither is compared with the other.
      const searchTables = Object.keys(sqlite.columns).filter((t) => t.startsWith("AuditEventSearch"));
      expect(searchTables).toContain("AuditEventSearch");
      for (const table of searchTables) delete sqlite.columns[table];
      const triggers = new Database(file, { readonly: true })
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name`)
        .all() as { name: string }[];
      expect(triggers.map((t) => t.name)).toEqual([
        "AuditEvent_search_delete",
        "AuditEvent_search_insert",
        "AuditEvent_search_update",
      ]);
      const trigram = Object.keys(postgres.indexes).filter((name) => name.endsWith("_trgm_idx"));
      expect(trigram.sort()).toEqual(["AuditEvent_actorIdentity_trgm_idx", "AuditEvent_targetName_trgm_idx"]);
      for (const name of trigram) delete postgres.indexes[name];
      expect(Object.keys(sqlite.columns).length).toBeGreaterThan(10);
      expect(postgres.columns).toEqual(sqlite.columns);
      expect(postgres.indexes).toEqual(sqlite.indexes);
      expect(sqlite.indexes.ServiceAccount_orgId_name_live_key).toMatchObject({
        unique: true,
        partial: true,
      });
    },
    60_000,
  );
});

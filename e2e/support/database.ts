// The browser suite's databases, on the engine of this run: SQLite files under data/, or
// PostgreSQL databases on TEST_DATABASE_URL's server when DEPUTY_E2E_ENGINE=postgresql.
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { createDatabase, databaseUrlFor } from "../../tests/support/engine";

export const E2E_ENGINE = process.env.DEPUTY_E2E_ENGINE === "postgresql" ? "postgresql" : "sqlite";
const ROOT = path.resolve(import.meta.dirname, "..", "..");

const run = () => process.env.DEPUTY_E2E_RUN ?? "local";
const pgName = (name: string) => `deputy_e2e_${run()}_${name}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");

/** The URL of this run's database `name` (not created). */
export function e2eDatabaseUrl(name: string): string {
  return E2E_ENGINE === "postgresql" ? databaseUrlFor(pgName(name)) : `file:./data/e2e-${run()}-${name}.db`;
}

/** A fresh, empty database `name` for this run: its URL. */
export async function freshE2eDatabase(name: string): Promise<string> {
  return E2E_ENGINE === "postgresql" ? createDatabase(pgName(name)) : e2eDatabaseUrl(name);
}

/**
 * Runs SQL on this run's database `name` — the harness's view, never the app's connection.
 * Placeholders are written `$1, $2…` and become `?` on SQLite.
 */
export async function sql<T = Record<string, unknown>>(
  name: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (E2E_ENGINE === "postgresql") {
    const client = new pg.Client({ connectionString: e2eDatabaseUrl(name) });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(ROOT, "data", `e2e-${run()}-${name}.db`));
  db.pragma("busy_timeout = 5000");
  try {
    const statement = db.prepare(text.replace(/\$\d+/g, "?"));
    const values = params.map((p) => (p instanceof Date ? p.toISOString() : p));
    return statement.reader ? (statement.all(...values) as T[]) : (statement.run(...values), []);
  } finally {
    db.close();
  }
}

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * Registers GitHub's issuer in the demo org straight in the database (no keys), for tests that
 * create federated accounts without exchanging tokens; e2e/federation.spec.ts registers a real
 * issuer through the console.
 */
export async function ensureDemoIssuer(issuer = GITHUB_ISSUER): Promise<void> {
  const now = new Date();
  const [acme] = await sql<{ id: string }>("demo", `SELECT id FROM "Organization" WHERE slug = 'acme'`);
  await sql(
    "demo",
    `INSERT INTO "IdentityProvider" (id, "orgId", issuer, name, "resolvedJwksUri", jwks, "keyCount", "refreshedAt", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, 'GitHub Actions', $4, $5, 0, $6, $7, $8) ON CONFLICT DO NOTHING`,
    [
      `e2e-idp-${Buffer.from(issuer).toString("hex").slice(-20)}`,
      acme!.id,
      issuer,
      `${issuer}/.well-known/jwks`,
      '{"keys":[]}',
      now,
      now,
      now,
    ],
  );
}

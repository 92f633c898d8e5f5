// Which database engine this test run uses: SQLite files by default, PostgreSQL when
// DEPUTY_TEST_ENGINE=postgresql (with TEST_DATABASE_URL naming a server and a role that may
// create databases). `npm test` runs the suites once per engine.
import pg from "pg";

export const TEST_ENGINE = process.env.DEPUTY_TEST_ENGINE === "postgresql" ? "postgresql" : "sqlite";

/** The admin URL for PostgreSQL tests; refuses loudly when it is missing. */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      "DEPUTY_TEST_ENGINE=postgresql needs TEST_DATABASE_URL (postgresql://user:password@host:5432/postgres); npm test sets it up.",
    );
  }
  return url;
}

/** The URL of database `name` on the server of `serverUrl` (the test server by default). */
export function databaseUrlFor(name: string, serverUrl = testDatabaseUrl()): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>, serverUrl = testDatabaseUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Creates database `name` (as a copy of `template` when given), replacing one of that name, on the
 * test server or on `serverUrl` (the benchmarks'); returns its URL.
 */
export async function createDatabase(
  name: string,
  template?: string,
  serverUrl = testDatabaseUrl(),
): Promise<string> {
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quote(name)}${template ? ` TEMPLATE ${quote(template)}` : ""}`);
  }, serverUrl);
  return databaseUrlFor(name, serverUrl);
}

/** Drops every database whose name starts with `prefix`. */
export async function dropDatabases(prefix: string): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1",
      [`${prefix.replace(/[%_]/g, "\\$&")}%`],
    );
    for (const { datname } of rows)
      await client.query(`DROP DATABASE IF EXISTS ${quote(datname)} WITH (FORCE)`);
  });
}

// Before migrating: is the database reachable and ours to write? Every failure is one line that
// says what to do — never a driver's stack trace.
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { isPostgresUrl, redactDatabaseUrl, sqliteFilePath } from "../lib/config/database-url";

/** Why the database cannot be used, as one line, or null when it can. */
export async function databaseProblem(databaseUrl: string, root: string): Promise<string | null> {
  return isPostgresUrl(databaseUrl) ? postgresProblem(databaseUrl) : sqliteProblem(databaseUrl, root);
}

function sqliteProblem(databaseUrl: string, root: string): string | null {
  const file =
    path.relative(root, path.resolve(root, sqliteFilePath(databaseUrl))) || sqliteFilePath(databaseUrl);
  let sqlite: Database.Database | null = null;
  try {
    sqlite = new Database(path.resolve(root, sqliteFilePath(databaseUrl)), { timeout: 5000 });
    // Take the write lock for a moment: migrations need it, and another process may hold it.
    sqlite.exec("BEGIN IMMEDIATE; ROLLBACK;");
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      return `Another process holds ${file} (a second Deputy, a benchmark, a database tool): stop it, then start Deputy again.`;
    }
    if (code === "SQLITE_CANTOPEN" || code === "SQLITE_READONLY" || code === "SQLITE_PERM") {
      return `Cannot write ${file}: check that its folder exists and that this user may write it.`;
    }
    if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
      return `${file} is not a Deputy database (not SQLite, or damaged): point DATABASE_URL at another file.`;
    }
    return `Cannot open ${file}: ${(error as Error).message}.`;
  } finally {
    sqlite?.close();
  }
}

async function postgresProblem(databaseUrl: string): Promise<string | null> {
  let where = redactDatabaseUrl(databaseUrl);
  let user = "";
  let database = "";
  try {
    const url = new URL(databaseUrl);
    where = `${url.hostname || "localhost"}:${url.port || "5432"}`;
    user = decodeURIComponent(url.username);
    database = decodeURIComponent(url.pathname.slice(1));
  } catch {
    return `DATABASE_URL is not a valid PostgreSQL URL (postgresql://user:password@host:5432/database): ${where}.`;
  }
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    switch (code) {
      case "ECONNREFUSED":
        return `PostgreSQL is unreachable at ${where} (connection refused): start it, or fix the host and port in DATABASE_URL.`;
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return `PostgreSQL host ${where} cannot be resolved: fix the host in DATABASE_URL.`;
      case "ETIMEDOUT":
        return `PostgreSQL at ${where} did not answer within 5 s: check the host, the port and any firewall.`;
      case "28P01":
      case "28000":
        return `PostgreSQL at ${where} refused user "${user}" (wrong password or no access): fix the user and password in DATABASE_URL.`;
      case "3D000":
        return `Database "${database}" does not exist on ${where}: create it (createdb ${database}) or fix DATABASE_URL.`;
      default: {
        const message = (error as Error).message || String(error);
        if (/timeout/i.test(message)) {
          return `PostgreSQL at ${where} did not answer within 5 s: check the host, the port and any firewall.`;
        }
        return `Cannot use PostgreSQL at ${where}: ${message.split("\n")[0]}.`;
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

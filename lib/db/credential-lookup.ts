// The credential hot path reads the database directly: one prepared JOIN by the unique key id
// costs microseconds, where the ORM's nested select costs several queries and milliseconds. Only
// this read lives here; every write goes through Prisma. One implementation per engine, chosen
// by DATABASE_URL, with the same answer shape.
import Database from "better-sqlite3";
import pg from "pg";
import { isPostgresUrl, sqliteFilePath } from "@/lib/config/database-url";
import { databaseUrl } from "./database-url";
import { observePool } from "@/lib/ops/metrics";

export type KeyRow = {
  id: string;
  name: string;
  secretHash: string;
  /** Epoch milliseconds, or an ISO string as Prisma stores dates in SQLite. */
  expiresAt: string | number | null;
  revokedAt: string | number | null;
  accountId: string;
  accountName: string;
  orgId: string;
  scope: "ORG" | "TEAM";
  role: "ADMIN" | "MEMBER" | "VIEWER";
  status: "ACTIVE" | "DISABLED";
  deletedAt: string | number | null;
  orgSlug: string;
  teamId: string;
  teamSlug: string;
  /** Restrictions (rule 24); the lists as JSON text. */
  permission: string | null;
  projects: string | null;
  allowedIps: string | null;
};

export type CredentialLookup = {
  url: string;
  find(keyId: string): Promise<KeyRow | undefined>;
  /**
   * A counter that moves whenever another connection commits to the database (SQLite's
   * `PRAGMA data_version`), or undefined where there is none (PostgreSQL announces changes).
   */
  dataVersion(): number | undefined;
  /** Tells every other Deputy instance on this database to drop its cached credentials. */
  announceChange(): Promise<void>;
  /** Calls `onChange` whenever another instance announces a change; returns a stop function. */
  listen(onChange: () => void): () => void;
};

/** The PostgreSQL channel on which instances announce credential changes. */
export const CREDENTIAL_CHANNEL = "deputy_credentials";

const SELECT = (epoch: (column: string) => string) => `
  SELECT k.id, k.name, k."secretHash", ${epoch('k."expiresAt"')} AS "expiresAt", ${epoch('k."revokedAt"')} AS "revokedAt",
         a.id AS "accountId", a.name AS "accountName", a."orgId", a.scope, a.role, a.status,
         ${epoch('a."deletedAt"')} AS "deletedAt", o.slug AS "orgSlug", t.id AS "teamId", t.slug AS "teamSlug",
         k.permission, k.projects, k."allowedIps"
  FROM "ApiKey" k
  JOIN "ServiceAccount" a ON a.id = k."serviceAccountId"
  JOIN "Organization" o ON o.id = a."orgId"
  JOIN "Team" t ON t.id = a."teamId"`;

function sqliteLookup(url: string): CredentialLookup {
  const db = new Database(sqliteFilePath(url), { fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  const statement = db.prepare<[string], KeyRow>(`${SELECT((c) => c)} WHERE k."keyId" = ?`);
  // This connection only reads, so its data_version moves exactly when another one commits:
  // this process's own writes (through Prisma's connection) and any other process's.
  const version = db.prepare<[], number>("PRAGMA data_version").pluck();
  // One SQLite file serves one Deputy process; other writers (scripts) are seen within the TTL.
  return {
    url,
    find: (keyId) => Promise.resolve(statement.get(keyId)),
    dataVersion: () => version.get(),
    announceChange: () => Promise.resolve(),
    listen: () => () => undefined,
  };
}

function postgresLookup(url: string): CredentialLookup {
  // A small pool of its own: the hot path never waits behind the ORM's connections. Prisma keeps
  // timestamps without a time zone in UTC; reading them as epoch milliseconds avoids pg's
  // local-time parsing.
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => undefined); // an idle connection dropped by the server is replaced on next use
  observePool("credentials", pool);
  const text = `${SELECT((c) => `(extract(epoch from ${c}) * 1000)::float8`)} WHERE k."keyId" = $1`;
  return {
    url,
    async find(keyId) {
      const result = await pool.query<KeyRow>({ name: "deputy_find_key", text, values: [keyId] });
      return result.rows[0];
    },
    dataVersion: () => undefined,
    async announceChange() {
      await pool.query(`NOTIFY ${CREDENTIAL_CHANNEL}`);
    },
    listen: (onChange) => listenForChanges(url, onChange),
  };
}

/**
 * LISTEN on a connection of its own, reconnecting after a second when it drops. While it is down,
 * the cache's 1-second TTL still bounds how long a revoked key can work here.
 */
function listenForChanges(url: string, onChange: () => void): () => void {
  let stopped = false;
  let client: pg.Client | null = null;
  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: url });
    client = next;
    const retry = () => {
      next.removeAllListeners();
      void next.end().catch(() => undefined);
      if (!stopped) setTimeout(() => void connect(), 1_000).unref();
    };
    next.on("error", retry);
    next.on("notification", () => onChange());
    try {
      await next.connect();
      await next.query(`LISTEN ${CREDENTIAL_CHANNEL}`);
      // Anything may have changed while we were not listening.
      onChange();
    } catch {
      retry();
    }
  };
  void connect();
  return () => {
    stopped = true;
    void client?.end().catch(() => undefined);
  };
}

const globalForLookup = globalThis as unknown as { deputyCredentialLookup?: CredentialLookup };

/** The lookup of this process for DATABASE_URL (created on first use). */
export function credentialLookup(): CredentialLookup {
  const url = databaseUrl();
  if (globalForLookup.deputyCredentialLookup?.url !== url) {
    globalForLookup.deputyCredentialLookup = isPostgresUrl(url) ? postgresLookup(url) : sqliteLookup(url);
  }
  return globalForLookup.deputyCredentialLookup;
}

/** The key with this id and its service account, or undefined. */
export function findKeyRow(keyId: string): Promise<KeyRow | undefined> {
  return credentialLookup().find(keyId);
}

/** A stored date as a Date: ISO text or epoch milliseconds. */
export function toDate(value: string | number | null): Date | null {
  return value === null ? null : new Date(value);
}

// The credential hot path reads SQLite directly: one prepared JOIN by the unique key id costs
// microseconds, where the ORM's nested select costs several queries and milliseconds. Only this
// read lives here; every write goes through Prisma in lib/**/data.ts.
import Database from "better-sqlite3";
import { sqliteFilePath } from "@/lib/config/database-url";

export type KeyRow = {
  id: string;
  name: string;
  secretHash: string;
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
};

const LOOKUP = `
  SELECT k.id, k.name, k.secretHash, k.expiresAt, k.revokedAt,
         a.id AS accountId, a.name AS accountName, a.orgId, a.scope, a.role, a.status, a.deletedAt,
         o.slug AS orgSlug, t.id AS teamId, t.slug AS teamSlug
  FROM "ApiKey" k
  JOIN "ServiceAccount" a ON a.id = k.serviceAccountId
  JOIN "Organization" o ON o.id = a.orgId
  JOIN "Team" t ON t.id = a.teamId
  WHERE k.keyId = ?`;

type Store = { file: string; lookup: Database.Statement<[string], KeyRow> };
const globalForStore = globalThis as unknown as { deputyKeyStore?: Store };

function store(): Store {
  const file = sqliteFilePath(process.env.DATABASE_URL);
  if (globalForStore.deputyKeyStore?.file !== file) {
    const db = new Database(file, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    globalForStore.deputyKeyStore = { file, lookup: db.prepare<[string], KeyRow>(LOOKUP) };
  }
  return globalForStore.deputyKeyStore;
}

/** The key with this id and its service account, or undefined. */
export function findKeyRow(keyId: string): KeyRow | undefined {
  return store().lookup.get(keyId);
}

/** Dates as Prisma stores them in SQLite (ISO text), or epoch milliseconds. */
export function toDate(value: string | number | null): Date | null {
  return value === null ? null : new Date(value);
}

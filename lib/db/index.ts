import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient, type Prisma } from "@/lib/generated/prisma/client";
import { isPostgresUrl, sqliteFileUrl } from "@/lib/config/database-url";
import { databaseUrl } from "./database-url";
import { createPostgresPrismaClient } from "./postgres";
import { serializedAdapterFactory } from "./serialized-adapter";

/**
 * Set on every connection. WAL lets the credential lookup read while a write is in progress;
 * synchronous=FULL syncs the WAL on every commit, so a change that was answered as made survives
 * a killed process and a power loss alike (about 0.14 ms per commit on our machine; NORMAL would
 * survive only a killed process). The busy timeout covers other processes (a seed script).
 */
export const SQLITE_CONNECTION_SETUP =
  "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

/**
 * Creates a client for a database URL — PostgreSQL for `postgresql://…`, else the SQLite file —
 * the app uses the single shared `db` below.
 */
export function createPrismaClient(databaseUrl: string | undefined): PrismaClient {
  if (isPostgresUrl(databaseUrl)) return createPostgresPrismaClient(databaseUrl!.trim());
  const adapter = serializedAdapterFactory(
    new PrismaBetterSQLite3({ url: sqliteFileUrl(databaseUrl) }),
    SQLITE_CONNECTION_SETUP,
  );
  return new PrismaClient({ adapter });
}

const globalForDb = globalThis as unknown as { deputyDb?: PrismaClient };

/** The shared client, created on first use (kept on globalThis so dev reloads reuse it). */
function sharedClient(): PrismaClient {
  return (globalForDb.deputyDb ??= createPrismaClient(databaseUrl()));
}

/**
 * The one Prisma client of this process. Created on first use, not on import, so importing
 * lib/db (the start script does, before it validates the configuration) never reads
 * DATABASE_URL; a bad value is then refused once, by the start script, with every other problem.
 */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = sharedClient();
    const value: unknown = Reflect.get(client, property, client);
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});

/** A transaction client, for functions that must run inside the caller's transaction. */
export type Tx = Prisma.TransactionClient;

/** Closes this thread's client and its pool, if it was ever opened (a graceful stop). */
export async function disconnectDatabase(): Promise<void> {
  const client = globalForDb.deputyDb;
  delete globalForDb.deputyDb;
  await client?.$disconnect();
}

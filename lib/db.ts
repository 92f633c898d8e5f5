import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient, type Prisma } from "@/lib/generated/prisma/client";
import { sqliteFileUrl } from "@/lib/config/database-url";

/** Creates a client for a database URL; the app uses the single shared `db` below. */
export function createPrismaClient(databaseUrl: string | undefined): PrismaClient {
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: sqliteFileUrl(databaseUrl) }) });
}

const globalForDb = globalThis as unknown as { deputyDb?: PrismaClient };

/** The one Prisma client of this process (kept on globalThis so dev reloads reuse it). */
export const db: PrismaClient = globalForDb.deputyDb ?? createPrismaClient(process.env.DATABASE_URL);
globalForDb.deputyDb = db;

/** A transaction client, for functions that must run inside the caller's transaction. */
export type Tx = Prisma.TransactionClient;

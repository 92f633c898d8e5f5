// PostgreSQL through Prisma's pg driver adapter (runtime 6.19). Every interactive transaction
// gets its own pooled connection and statements outside a transaction use others, so nothing
// runs inside another request's transaction: rule 23 holds by construction here.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { observePool } from "@/lib/ops/metrics";
import { PrismaClient as PostgresPrismaClient } from "@/lib/generated/prisma-pg/client";
import type { PrismaClient } from "@/lib/generated/prisma/client";

/** Connections per Deputy process; several instances share one server, so keep it modest. */
export const POOL_SIZE = 10;

/**
 * A Prisma client on PostgreSQL. Both generated clients come from one schema (see
 * scripts/schema-variants.ts), so the PostgreSQL one has exactly the SQLite one's API and is used
 * through its type.
 */
export function createPostgresPrismaClient(databaseUrl: string): PrismaClient {
  // Our own pool, handed to the adapter (which ends it on disconnect), so /metrics can show its use.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  observePool("prisma", pool);
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
}

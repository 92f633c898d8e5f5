// Orders check-then-write transactions on one owning row (a quota count then an insert, an
// "already rotated?" read then an update). Under PostgreSQL's READ COMMITTED every parallel
// transaction would see the same count and all insert; locking the owning row first makes them
// take turns, and each statement after the lock sees what the one before it committed.
//
// On SQLite every transaction already holds the database's one write lock from BEGIN IMMEDIATE to
// COMMIT, and the queue of serialized-adapter.ts keeps other statements out of it, so there is
// nothing to lock: the call is free.
import { Prisma } from "@/lib/generated/prisma/client";
import { usesPostgres } from "./database-url";
import type { Tx } from "./index";

/** The rows a transaction may lock, by model; the table names are the migrations' (no @@map). */
const LOCKABLE = {
  organization: Prisma.sql`"Organization"`,
  serviceAccount: Prisma.sql`"ServiceAccount"`,
} as const;

export type LockableRow = keyof typeof LOCKABLE;

/**
 * Locks row `id` of `model` until the transaction `tx` ends; call it before the reads that a
 * write depends on. FOR NO KEY UPDATE conflicts with itself and with updates of the row, not with
 * the key-share locks that inserting a child row (a key, an audit event) takes, so only the
 * transactions that lock the same row wait for each other. A missing row locks nothing: the
 * caller's own reads after the lock find it gone and refuse.
 *
 * The engine is the one `db` uses (DATABASE_URL), so the rest of lib/ never asks which it is.
 */
export async function lockRow(tx: Tx, model: LockableRow, id: string): Promise<void> {
  if (!usesPostgres()) return;
  await tx.$queryRaw(Prisma.sql`SELECT 1 FROM ${LOCKABLE[model]} WHERE "id" = ${id} FOR NO KEY UPDATE`);
}

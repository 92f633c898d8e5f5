import { factsOf, type AccountUseEntry, type LastUsedEntry } from "./last-used";
import { db } from "@/lib/db";
import { usesPostgres } from "@/lib/db/database-url";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * Rows per statement of a flush (well under both engines' bound-parameter limits: at most four
 * parameters a row).
 */
const ROWS_PER_STATEMENT = 200;

function inChunks<T>(rows: T[], make: (chunk: T[]) => Prisma.PrismaPromise<number>) {
  const statements: Prisma.PrismaPromise<number>[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    statements.push(make(rows.slice(i, i + ROWS_PER_STATEMENT)));
  }
  return statements;
}

/**
 * A time as a VALUES list must hold it. PostgreSQL types a bare parameter there as text, so it is
 * cast; SQLite has no date type (Prisma stores the same ISO text the parameter becomes), and its
 * CAST to TIMESTAMP would make a number of it.
 */
function timestamp(at: Date): Prisma.Sql {
  return usesPostgres() ? Prisma.sql`CAST(${at} AS TIMESTAMP(3))` : Prisma.sql`${at}`;
}

/**
 * Rule 27's facts as INSERT … ON CONFLICT DO NOTHING (the same SQL on both engines): a set that
 * several instances add to without reading it, and without a conflict aborting the batch.
 */
function insertUseFacts(entries: LastUsedEntry[]) {
  const rows = entries.flatMap(([id, , use]) =>
    use ? factsOf(use).map((f) => Prisma.sql`(${id}, ${f.day}, ${f.kind}, ${f.value})`) : [],
  );
  return inChunks(
    rows,
    (chunk) =>
      db.$executeRaw`INSERT INTO "ApiKeyUseFact" ("apiKeyId", "day", "kind", "value") VALUES ${Prisma.join(chunk)} ON CONFLICT DO NOTHING`,
  );
}

/** "Not after `at`": a last use is never moved backwards (`table` is the row being updated). */
const olderThan = (table: Prisma.Sql, at: Prisma.Sql) =>
  Prisma.sql`(${table}."lastUsedAt" IS NULL OR ${table}."lastUsedAt" < ${at})`;
const API_KEY = Prisma.raw(`"ApiKey"`);
const SERVICE_ACCOUNT = Prisma.raw(`"ServiceAccount"`);

/** Rows by their first column, the id: one order on every instance. */
const byId = ([a]: [string, ...unknown[]], [b]: [string, ...unknown[]]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * One entry per key (the recorder gives that; a caller may not): the latest time, the address of
 * the latest use that had one, the days' counts added up, the facts together. The set-based
 * statements need it — PostgreSQL refuses an ON CONFLICT that would touch one row twice, and
 * which of two VALUES rows an UPDATE applies to a row is undefined. In id order, so that two
 * instances' flushes take the rows' locks in one order.
 */
function oneEntryPerKey(entries: LastUsedEntry[]): LastUsedEntry[] {
  const merged = new Map<string, LastUsedEntry>();
  for (const entry of entries) {
    const known = merged.get(entry[0]);
    if (!known) {
      merged.set(entry[0], entry);
      continue;
    }
    const [[id, at, later], [, , earlier]] = entry[1] > known[1] ? [entry, known] : [known, entry];
    const perDay = { ...earlier?.perDay };
    for (const [day, n] of Object.entries(later?.perDay ?? {})) perDay[day] = (perDay[day] ?? 0) + n;
    const use = later ?? earlier;
    merged.set(id, [
      id,
      at,
      use && {
        ...use,
        ip: later?.ip ?? earlier?.ip ?? null,
        perDay,
        facts: new Set([...(earlier?.facts ?? []), ...(later?.facts ?? [])]),
      },
    ]);
  }
  return [...merged.values()].sort(byId);
}

/** One entry per account, its latest time, in id order (see oneEntryPerKey). */
function oneEntryPerAccount(accounts: AccountUseEntry[]): AccountUseEntry[] {
  const latest = new Map<string, Date>();
  for (const [id, at] of accounts) {
    const known = latest.get(id);
    if (!known || known < at) latest.set(id, at);
  }
  return [...latest].sort(byId);
}

/**
 * Writes a batch of last-used times for keys and their accounts (the account's is what "unused
 * for 90 days" filters on), never moving a time backwards — several instances may flush the same
 * key in any order — and adds the batch's requests per day and facts (rule 27) to what is stored.
 *
 * Set-based, a statement per ROWS_PER_STATEMENT rows of each kind, in one transaction: the same
 * writes through the ORM, three to five statements per key, took about a second of the event
 * loop for a batch of 1,000 keys on SQLite, and every request waited behind it.
 * VALUES columns are column1, column2, … on both engines. A failed batch is rolled back whole and
 * the recorder retries it at the next flush; only a commit whose outcome is unknown (the
 * connection lost after COMMIT was sent) can count that batch's requests twice.
 */
export async function saveLastUsed(
  batch: LastUsedEntry[],
  accountBatch: AccountUseEntry[] = [],
): Promise<void> {
  const entries = oneEntryPerKey(batch);
  const accounts = oneEntryPerAccount(accountBatch);
  const keyRow = ([id, at, use]: LastUsedEntry) =>
    use
      ? Prisma.sql`(${id}, ${timestamp(at)}, ${use.ip?.slice(0, 64) ?? null})`
      : Prisma.sql`(${id}, ${timestamp(at)})`;
  const withUse = entries.filter(([, , use]) => use);
  const withoutUse = entries.filter(([, , use]) => !use);
  const usageRows = entries.flatMap(([id, , use]) =>
    Object.entries(use?.perDay ?? {}).map(
      ([day, requests]) => Prisma.sql`(${id}, ${use!.accountId}, ${day}, ${requests})`,
    ),
  );
  await db.$transaction([
    // Accounts used through access tokens (federated): only the account has a last use.
    ...inChunks(
      accounts.map(([id, at]) => Prisma.sql`(${id}, ${timestamp(at)})`),
      (chunk) =>
        db.$executeRaw`UPDATE "ServiceAccount" SET "lastUsedAt" = v.column2 FROM (VALUES ${Prisma.join(chunk)}) AS v WHERE "ServiceAccount"."id" = v.column1 AND ${olderThan(SERVICE_ACCOUNT, Prisma.sql`v.column2`)}`,
    ),
    ...inChunks(
      withUse.map(keyRow),
      (chunk) =>
        db.$executeRaw`UPDATE "ApiKey" SET "lastUsedAt" = v.column2, "lastUsedIp" = COALESCE(v.column3, "ApiKey"."lastUsedIp") FROM (VALUES ${Prisma.join(chunk)}) AS v WHERE "ApiKey"."id" = v.column1 AND ${olderThan(API_KEY, Prisma.sql`v.column2`)}`,
    ),
    ...inChunks(
      withoutUse.map(keyRow),
      (chunk) =>
        db.$executeRaw`UPDATE "ApiKey" SET "lastUsedAt" = v.column2 FROM (VALUES ${Prisma.join(chunk)}) AS v WHERE "ApiKey"."id" = v.column1 AND ${olderThan(API_KEY, Prisma.sql`v.column2`)}`,
    ),
    // Each key's account, from the key's row: its latest use among the batch's keys.
    ...inChunks(
      entries.map(([id, at]) => Prisma.sql`(${id}, ${timestamp(at)})`),
      (chunk) =>
        db.$executeRaw`UPDATE "ServiceAccount" SET "lastUsedAt" = u."at" FROM (SELECT k."serviceAccountId" AS "accountId", MAX(v.column2) AS "at" FROM (VALUES ${Prisma.join(chunk)}) AS v JOIN "ApiKey" AS k ON k."id" = v.column1 GROUP BY k."serviceAccountId") AS u WHERE "ServiceAccount"."id" = u."accountId" AND ${olderThan(SERVICE_ACCOUNT, Prisma.sql`u."at"`)}`,
    ),
    // Requests per day: added to whatever other instances counted (an atomic increment).
    ...inChunks(
      usageRows,
      (chunk) =>
        db.$executeRaw`INSERT INTO "ApiKeyUsageDay" ("apiKeyId", "serviceAccountId", "day", "requests") VALUES ${Prisma.join(chunk)} ON CONFLICT ("apiKeyId", "day") DO UPDATE SET "requests" = "ApiKeyUsageDay"."requests" + EXCLUDED."requests"`,
    ),
    ...insertUseFacts(entries),
  ]);
}

// The audit log's text search (`q`: text in the actor's or the target's identity) through an
// index, on both engines: SQLite's FTS5 trigram table AuditEventSearch, PostgreSQL's pg_trgm GIN
// indexes (both made by the migration audit_search_index). Without one, a search for one
// account's events among a million reads the org's events newest first until it has a page —
// all of them when the account has few.
//
// The index only narrows: it returns the ids of the org's events that may match, and the query
// keeps its `contains` filter on those, so what matches is exactly what the scan would find.
// When the text matches too many events for an id list (a common word, "acme"), the scan is fast
// anyway — it fills a page from the newest events — and is used instead.
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { usesPostgres } from "@/lib/db/database-url";

/** More candidate ids than this: the text is common, and the newest-first scan is faster. */
export const MAX_SEARCH_CANDIDATES = 2000;
/** Trigram indexes need three characters; shorter text is searched by the scan. */
const MIN_INDEXED_LENGTH = 3;

/** LIKE's wildcards in `text`, escaped with a backslash (PostgreSQL's default escape). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The ids of the org's events whose actor identity or target name may contain `text`, or null
 * when the index cannot help (text too short, or more than `limit` candidates).
 */
export async function auditSearchCandidates(
  orgId: string,
  text: string,
  limit = MAX_SEARCH_CANDIDATES,
): Promise<string[] | null> {
  if ([...text].length < MIN_INDEXED_LENGTH) return null;
  const rows = usesPostgres()
    ? await db.$queryRaw<{ id: string }[]>(Prisma.sql`
        SELECT "id" FROM "AuditEvent"
        WHERE "orgId" = ${orgId}
          AND ("actorIdentity" LIKE ${likePattern(text)} OR "targetName" LIKE ${likePattern(text)})
        LIMIT ${limit + 1}`)
    : // A phrase of the text's trigrams: every event holding it as a substring (any case).
      await db.$queryRaw<{ id: string }[]>(Prisma.sql`
        SELECT e."id" AS "id" FROM "AuditEventSearch" s JOIN "AuditEvent" e ON e."id" = s."eventId"
        WHERE s."AuditEventSearch" MATCH ${`"${text.replace(/"/g, '""')}"`} AND e."orgId" = ${orgId}
        LIMIT ${limit + 1}`);
  return rows.length > limit ? null : rows.map((row) => row.id);
}

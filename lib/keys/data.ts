import { factsOf, type AccountUseEntry, type LastUsedEntry } from "./last-used";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

/** Rows per INSERT of use facts (well under both engines' bound-parameter limits). */
const FACTS_PER_STATEMENT = 200;

/**
 * Rule 27's facts as INSERT … ON CONFLICT DO NOTHING (the same SQL on both engines): a set that
 * several instances add to without reading it, and without a conflict aborting the batch.
 */
function insertUseFacts(entries: LastUsedEntry[]) {
  const rows = entries.flatMap(([id, , use]) =>
    use ? factsOf(use).map((f) => Prisma.sql`(${id}, ${f.day}, ${f.kind}, ${f.value})`) : [],
  );
  const statements = [];
  for (let i = 0; i < rows.length; i += FACTS_PER_STATEMENT) {
    statements.push(
      db.$executeRaw`INSERT INTO "ApiKeyUseFact" ("apiKeyId", "day", "kind", "value") VALUES ${Prisma.join(rows.slice(i, i + FACTS_PER_STATEMENT))} ON CONFLICT DO NOTHING`,
    );
  }
  return statements;
}

/**
 * Writes a batch of last-used times for keys and their accounts (the account's is what "unused
 * for 90 days" filters on), never moving a time backwards — several instances may flush the same
 * key in any order.
 */
export async function saveLastUsed(
  entries: LastUsedEntry[],
  accounts: AccountUseEntry[] = [],
): Promise<void> {
  const newer = (at: Date) => ({ OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] });
  await db.$transaction([
    // Accounts used through access tokens (federated): only the account has a last use.
    ...accounts.map(([id, at]) =>
      db.serviceAccount.updateMany({ where: { id, ...newer(at) }, data: { lastUsedAt: at } }),
    ),
    ...entries.flatMap(([id, at, use]) => [
      db.apiKey.updateMany({
        where: { id, ...newer(at) },
        data: { lastUsedAt: at, ...(use ? { lastUsedIp: use.ip?.slice(0, 64) ?? null } : {}) },
      }),
      db.serviceAccount.updateMany({
        where: { keys: { some: { id } }, ...newer(at) },
        data: { lastUsedAt: at },
      }),
      // Requests per day: added to whatever other instances counted (an atomic increment).
      ...Object.entries(use?.perDay ?? {}).map(([day, requests]) =>
        db.apiKeyUsageDay.upsert({
          where: { apiKeyId_day: { apiKeyId: id, day } },
          create: { apiKeyId: id, serviceAccountId: use!.accountId, day, requests },
          update: { requests: { increment: requests } },
        }),
      ),
    ]),
    ...insertUseFacts(entries),
  ]);
}

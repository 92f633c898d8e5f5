import { db } from "@/lib/db";

/**
 * Writes a batch of last-used times for keys and their accounts (the account's is what "unused
 * for 90 days" filters on), never moving a time backwards — several instances may flush the same
 * key in any order.
 */
export async function saveLastUsed(entries: [apiKeyId: string, at: Date][]): Promise<void> {
  const newer = (at: Date) => ({ OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] });
  await db.$transaction(
    entries.flatMap(([id, at]) => [
      db.apiKey.updateMany({ where: { id, ...newer(at) }, data: { lastUsedAt: at } }),
      db.serviceAccount.updateMany({
        where: { keys: { some: { id } }, ...newer(at) },
        data: { lastUsedAt: at },
      }),
    ]),
  );
}

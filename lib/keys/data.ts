import { db } from "@/lib/db";

/** Writes a batch of last-used times, never moving a key's time backwards. */
export async function saveLastUsed(entries: [apiKeyId: string, at: Date][]): Promise<void> {
  await db.$transaction(
    entries.map(([id, at]) =>
      db.apiKey.updateMany({
        where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: at } }] },
        data: { lastUsedAt: at },
      }),
    ),
  );
}

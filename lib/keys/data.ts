import type { AccountUseEntry, LastUsedEntry } from "./last-used";
import { db } from "@/lib/db";

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
  ]);
}

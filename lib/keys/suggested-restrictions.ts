// Right-sizing as the domain answers it (rule 27): a key's use over the last 30 days read from
// the batched usage rows, the restrictions proposed from it, and the keys of an org that are
// broader than their use (the Attention list). Applying a proposal is updateKey, like any change.
import { db, type Tx } from "@/lib/db";
import type { Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { isBoundedId } from "@/lib/validation/text";
import { loadManagedAccount } from "@/lib/service-accounts/accounts";
import { missingProjects, storedRestrictions } from "./key-restrictions";
import { restrictionsAnswerOf } from "./credential-restrictions";
import {
  describeUse,
  narrowedFields,
  proposeRestrictions,
  summariseUse,
  windowStart,
  type KeyUseSummary,
} from "./right-sizing";
import type { AccountRole, Restrictions } from "./restrictions";

/** Each key's use since `since` (a UTC day): two queries whatever the number of keys. */
export async function loadKeyUse(
  client: Tx,
  keyIds: string[],
  since: string,
): Promise<Map<string, KeyUseSummary>> {
  const [usage, facts] = await Promise.all([
    client.apiKeyUsageDay.findMany({
      where: { apiKeyId: { in: keyIds }, day: { gte: since } },
      select: { apiKeyId: true, day: true, requests: true },
    }),
    client.apiKeyUseFact.findMany({
      where: { apiKeyId: { in: keyIds }, day: { gte: since } },
      select: { apiKeyId: true, day: true, kind: true, value: true },
    }),
  ]);
  const uses = new Map<string, KeyUseSummary>();
  for (const id of keyIds) {
    uses.set(
      id,
      summariseUse(
        usage.filter((u) => u.apiKeyId === id),
        facts.filter((f) => f.apiKeyId === id),
      ),
    );
  }
  return uses;
}

/** The project paths of some uses that no longer name a project of the org. */
async function goneProjects(orgId: string, uses: KeyUseSummary[]): Promise<Set<string>> {
  const paths = [...new Set(uses.flatMap((u) => [...Object.keys(u.reads), ...Object.keys(u.writes)]))];
  return new Set(paths.length > 0 ? await missingProjects(db, orgId, paths) : []);
}

function suggestionOf(use: KeyUseSummary, current: Restrictions, role: AccountRole, gone: Set<string>) {
  const suggested = proposeRestrictions(use, current, role, (path) => !gone.has(path));
  return {
    description: describeUse(use),
    requests: use.requests,
    days: use.days,
    current: restrictionsAnswerOf(role, current),
    suggested: restrictionsAnswerOf(role, suggested),
    /** The stored form, as the Restrict dialog pre-fills it ("Same as the account" = null). */
    suggestedInput: suggested,
    narrows: narrowedFields(suggested, current, role),
  };
}

/**
 * A key's Restrict proposal: what it did in the last 30 days and the narrowest restrictions that
 * would still have allowed all of it. Whoever manages the account's keys may ask.
 */
export async function suggestRestrictions(principal: Principal, accountRef: unknown, keyRef: unknown) {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  if (!isBoundedId(keyRef)) throw new AppError("NOT_FOUND", "API key not found.");
  const key = await db.apiKey.findFirst({
    where: { serviceAccountId: account.id, OR: [{ id: keyRef }, { keyId: keyRef }] },
    select: { id: true, permission: true, projects: true, allowedIps: true },
  });
  if (!key) throw new AppError("NOT_FOUND", "API key not found on this service account.");
  const use = (await loadKeyUse(db, [key.id], windowStart(new Date()))).get(key.id)!;
  const gone = await goneProjects(account.orgId, [use]);
  return { keyId: key.id, ...suggestionOf(use, storedRestrictions(key), account.role, gone) };
}

export type RestrictionSuggestion = Awaited<ReturnType<typeof suggestRestrictions>>;

/** Keys looked at for "Broader than its use": the most recently used, at most this many. */
const CANDIDATES = 100;
/** A key younger than this has not shown its use yet. */
const SETTLED_DAYS = 7;

/**
 * Live keys of the org, used in the last 30 days and older than a week, whose restrictions could
 * be narrowed without refusing anything they did (Attention's "Broader than its use"). Looks at
 * the CANDIDATES most recently used keys: three queries, whatever the org's size.
 */
export async function keysBroaderThanUse(orgId: string, now = new Date()) {
  const since = windowStart(now);
  const keys = await db.apiKey.findMany({
    where: {
      serviceAccount: { orgId, deletedAt: null, status: "ACTIVE" },
      revokedAt: null,
      replacedById: null,
      leakedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      lastUsedAt: { gte: new Date(`${since}T00:00:00Z`) },
      createdAt: { lte: new Date(now.getTime() - SETTLED_DAYS * 86_400_000) },
    },
    orderBy: { lastUsedAt: "desc" },
    take: CANDIDATES,
    select: {
      id: true,
      name: true,
      last4: true,
      permission: true,
      projects: true,
      allowedIps: true,
      serviceAccount: {
        select: { id: true, name: true, scope: true, role: true, team: { select: { slug: true } } },
      },
    },
  });
  if (keys.length === 0) return [];
  const uses = await loadKeyUse(
    db,
    keys.map((k) => k.id),
    since,
  );
  const gone = await goneProjects(orgId, [...uses.values()]);
  return keys.flatMap((key) => {
    const use = uses.get(key.id)!;
    if (use.requests === 0) return [];
    const suggestion = suggestionOf(use, storedRestrictions(key), key.serviceAccount!.role, gone);
    return suggestion.narrows.length > 0 ? [{ key, suggestion }] : [];
  });
}

// The Org Dashboard's Attention list: what an admin should act on this week — keys expiring
// within 7 days, keys in a rotation grace period, leaked keys not yet acknowledged, accounts
// unused for 90 days, keys broader than their use (rule 27) — each with the account it belongs to.
import { db } from "@/lib/db";
import type { PersonPrincipal } from "@/lib/core/principal";
import { authorizeOrg } from "@/lib/authz/guard";
import { maskedKey } from "@/lib/keys/format";
import { keysBroaderThanUse } from "@/lib/keys/suggested-restrictions";
import { DAY_MS } from "@/lib/keys/state";
import { accountFilterWhere } from "./filters";
import { accountHref } from "./place";

const SHOWN = 20;

const KEY_SELECT = {
  id: true,
  name: true,
  last4: true,
  expiresAt: true,
  lastUsedAt: true,
  leakedAt: true,
  leakSource: true,
  serviceAccount: { select: { id: true, name: true, scope: true, team: { select: { slug: true } } } },
} as const;

export async function getAttentionList(caller: PersonPrincipal, orgSlug: string) {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_service_accounts");
  const now = new Date();
  const soon = new Date(now.getTime() + 7 * DAY_MS);
  const ofOrg = { serviceAccount: { orgId: org.id, deletedAt: null } };
  const [expiring, rotating, leaked, unusedRows, broader, ownerLeft, failingHooks] = await Promise.all([
    db.apiKey.findMany({
      where: { ...ofOrg, revokedAt: null, replacedById: null, expiresAt: { gt: now, lte: soon } },
      orderBy: { expiresAt: "asc" },
      take: SHOWN,
      select: KEY_SELECT,
    }),
    db.apiKey.findMany({
      where: { ...ofOrg, revokedAt: null, replacedById: { not: null }, expiresAt: { gt: now } },
      orderBy: { expiresAt: "asc" },
      take: SHOWN,
      select: KEY_SELECT,
    }),
    db.apiKey.findMany({
      where: { ...ofOrg, leakedAt: { not: null }, leakAcknowledgedAt: null },
      orderBy: { leakedAt: "desc" },
      take: SHOWN,
      select: KEY_SELECT,
    }),
    db.serviceAccount.findMany({
      where: {
        orgId: org.id,
        deletedAt: null,
        status: "ACTIVE",
        ...accountFilterWhere({ unused: true }, now),
      },
      orderBy: { name: "asc" },
      // One more than shown says whether there are more, without counting them all (a second scan).
      take: SHOWN + 1,
      select: {
        id: true,
        name: true,
        scope: true,
        lastUsedAt: true,
        createdAt: true,
        team: { select: { slug: true } },
      },
    }),
    keysBroaderThanUse(org.id, now),
    // Rule 30: accounts whose owner is no longer a person of the org.
    db.serviceAccount.findMany({
      where: {
        orgId: org.id,
        deletedAt: null,
        ownerUserId: { not: null },
        owner: { orgMemberships: { none: { orgId: org.id } } },
      },
      orderBy: { name: "asc" },
      take: SHOWN,
      select: {
        id: true,
        name: true,
        scope: true,
        team: { select: { slug: true } },
        owner: { select: { email: true } },
      },
    }),
    // Rule 28: endpoints disabled after failing for 24 hours.
    db.webhookEndpoint.findMany({
      where: { orgId: org.id, status: "disabled", failingSince: { not: null } },
      orderBy: { createdAt: "asc" },
      take: SHOWN,
      select: { id: true, url: true },
    }),
  ]);
  const unused = unusedRows.slice(0, SHOWN);
  const keyItem = (k: (typeof expiring)[number]) => ({
    keyId: k.id,
    keyName: k.name,
    masked: maskedKey(k.last4),
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
    leakedAt: k.leakedAt,
    foundAt: k.leakSource,
    account: {
      id: k.serviceAccount!.id,
      name: k.serviceAccount!.name,
      href: accountHref(k.serviceAccount!, org.slug),
    },
  });
  return {
    expiring: expiring.map(keyItem),
    rotating: rotating.map(keyItem),
    leaked: leaked.map(keyItem),
    unused: unused.map((a) => ({
      id: a.id,
      name: a.name,
      lastUsedAt: a.lastUsedAt,
      createdAt: a.createdAt,
      href: accountHref(a, org.slug),
    })),
    moreUnused: unusedRows.length > SHOWN,
    ownerLeft: ownerLeft.map((a) => ({
      id: a.id,
      name: a.name,
      owner: a.owner?.email ?? "",
      href: accountHref(a, org.slug),
    })),
    failingWebhooks: failingHooks.map((h) => ({
      id: h.id,
      url: h.url,
      href: `/org/${org.slug}/webhooks/${h.id}`,
    })),
    broader: broader.slice(0, SHOWN).map(({ key, suggestion }) => ({
      keyId: key.id,
      keyName: key.name,
      masked: maskedKey(key.last4),
      narrows: suggestion.narrows,
      account: {
        id: key.serviceAccount!.id,
        name: key.serviceAccount!.name,
        href: accountHref(key.serviceAccount!, org.slug),
      },
    })),
  };
}

export type AttentionList = Awaited<ReturnType<typeof getAttentionList>>;

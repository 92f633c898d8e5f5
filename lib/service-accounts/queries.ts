// Reading service accounts for the console: the paginated, filtered list (visibility and filters
// are listing.ts's, shared with the API; this adds href/canManage and page numbers), the create
// dialog's options and the detail page.
import { newKeyRefusal } from "@/lib/orgs/policy-rules";
import { db } from "@/lib/db";
import type { PersonPrincipal } from "@/lib/core/principal";
import { canInOrg, canInTeam, canManageServiceAccount, canViewServiceAccount } from "@/lib/authz/policy";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { maskedKey } from "@/lib/keys/format";
import { serviceAccountIdentity } from "./identity";
import { ZListFilters } from "./schemas";
import { resolvePlace, accountHref, accountInPlace } from "./place";
import { DAY_MS, KEY_ROW_SELECT, keyStatus } from "@/lib/keys/state";
import { storedRestrictions } from "@/lib/keys/key-restrictions";
import { describeRestrictions, storedList } from "@/lib/keys/restrictions";
import { listableAccountsWhere, liveKeyCounts } from "./listing";
import { creatorIdentities } from "./creators";

export const PAGE_SIZE = 20;

/** The org's registered identity providers: the issuers a federated account may trust (rule 18). */
function registeredIssuers(orgId: string) {
  return db.identityProvider.findMany({
    where: { orgId },
    orderBy: { name: "asc" },
    select: { issuer: true, name: true },
  });
}

const ROW_SELECT = {
  id: true,
  name: true,
  description: true,
  scope: true,
  authMethod: true,
  role: true,
  status: true,
  createdAt: true,
  orgId: true,
  team: { select: { id: true, slug: true, name: true, orgId: true } },
  lastUsedAt: true,
} as const;

/** A page of live service accounts, searchable and filterable, with their last use. */
export async function listServiceAccounts(
  caller: PersonPrincipal,
  placeInput: unknown,
  filtersInput: unknown,
) {
  const place = await resolvePlace(caller, placeInput);
  const filters = parseInput(ZListFilters, filtersInput ?? {});
  const now = new Date();
  // A team's tab lists that team's team-scoped accounts; the Org Dashboard every account.
  const where = listableAccountsWhere(
    { org: place.org, person: place.actor },
    place.team ? { ...filters, scope: "team", teamId: place.team.id } : filters,
    now,
  );
  // The pinned account (only if these filters would list it) heads page 1 on top of the page's
  // own rows, so a new account is in view whatever page its name sorts onto and no other row
  // is pushed off the page (it keeps its sorted place on its own page too).
  const [total, sorted, pinned] = await Promise.all([
    db.serviceAccount.count({ where }),
    db.serviceAccount.findMany({
      where,
      orderBy: { name: "asc" },
      skip: (filters.page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: ROW_SELECT,
    }),
    filters.pin && filters.page === 1
      ? db.serviceAccount.findFirst({ where: { AND: [where, { id: filters.pin }] }, select: ROW_SELECT })
      : null,
  ]);
  const rows = pinned ? [pinned, ...sorted.filter((row) => row.id !== pinned.id)] : sorted;
  // Live keys per account of this page only (170 ms at a million keys as a relation _count).
  const liveKeysOf = await liveKeyCounts(
    rows.map((row) => row.id),
    now,
  );
  const items = rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    scope: row.scope,
    authMethod: row.authMethod,
    role: row.role,
    status: row.status,
    createdAt: row.createdAt,
    team: { slug: row.team.slug, name: row.team.name },
    identity: serviceAccountIdentity(row.name, place.org.slug),
    lastUsedAt: row.lastUsedAt,
    activeKeys: liveKeysOf.get(row.id) ?? 0,
    // On the Org Dashboard team-scoped accounts are an inventory: they are managed in their team.
    canManage: (place.kind === "team" || row.scope === "ORG") && canManageServiceAccount(place.actor, row),
    href: accountHref(row, place.org.slug),
    pinned: row.id === pinned?.id,
  }));
  return { items, total, page: filters.page, pageSize: PAGE_SIZE };
}

export type ServiceAccountRow = Awaited<ReturnType<typeof listServiceAccounts>>["items"][number];

/** What the tab needs beyond the list: may the caller create here, the teams to pick, key lifetime. */
export async function getCreateOptions(caller: PersonPrincipal, placeInput: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const [{ maxKeyLifetimeDays }, issuers] = await Promise.all([
    db.organization.findUniqueOrThrow({ where: { id: place.org.id }, select: { maxKeyLifetimeDays: true } }),
    registeredIssuers(place.org.id),
  ]);
  if (place.kind === "team") {
    const canCreate = canInTeam(place.actor, place.team, "team.manage_service_accounts");
    return { canCreate, teams: [], maxKeyLifetimeDays, issuers };
  }
  const teams = await db.team.findMany({
    where: { orgId: place.org.id },
    orderBy: { slug: "asc" },
    select: { slug: true, name: true },
  });
  return {
    canCreate: canInOrg(place.actor, "org.manage_service_accounts"),
    teams,
    maxKeyLifetimeDays,
    issuers,
  };
}

/** The detail page: identity, keys (never a hash), federation settings and recent activity. */
export async function getServiceAccountDetail(caller: PersonPrincipal, placeInput: unknown, name: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const account = await db.serviceAccount.findFirst({
    where: accountInPlace(place, name),
    select: {
      id: true,
      orgId: true,
      name: true,
      description: true,
      scope: true,
      authMethod: true,
      role: true,
      status: true,
      createdAt: true,
      createdByUserId: true,
      createdByServiceAccountId: true,
      contact: true,
      owner: { select: { email: true, orgMemberships: { select: { orgId: true } } } },
      org: {
        select: {
          maxKeyLifetimeDays: true,
          apiKeyPolicy: true,
          requireOwner: true,
          requireAllowedIpsForOrgScope: true,
        },
      },
      team: { select: { id: true, slug: true, name: true, orgId: true } },
      federatedIdentities: {
        select: {
          issuer: true,
          subjectPattern: true,
          audience: true,
          claimConditions: true,
          allowedIps: true,
        },
      },
      keys: {
        orderBy: { createdAt: "desc" },
        select: {
          ...KEY_ROW_SELECT,
          replacedById: true,
          leakSource: true,
          leakAcknowledgedAt: true,
          lastUsedIp: true,
        },
      },
    },
  });
  if (!account || !canViewServiceAccount(place.actor, account)) {
    throw new AppError("NOT_FOUND", "Service account not found.");
  }
  const since = new Date(Date.now() - 29 * DAY_MS).toISOString().slice(0, 10);
  const [creators, events, issuers, usage] = await Promise.all([
    creatorIdentities([account, ...account.keys], place.org.slug),
    db.auditEvent.findMany({
      where: { orgId: account.orgId, targetType: "service_account", targetId: account.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      select: {
        id: true,
        createdAt: true,
        actorIdentity: true,
        actorType: true,
        action: true,
        metadata: true,
      },
    }),
    account.authMethod === "FEDERATED" ? registeredIssuers(account.orgId) : [],
    db.apiKeyUsageDay.groupBy({
      by: ["day"],
      where: { serviceAccountId: account.id, day: { gte: since } },
      _sum: { requests: true },
    }),
  ]);
  const perDay = new Map(usage.map((u) => [u.day, u._sum.requests ?? 0]));
  const now = Date.now();
  return {
    id: account.id,
    name: account.name,
    description: account.description,
    identity: serviceAccountIdentity(account.name, place.org.slug),
    scope: account.scope,
    authMethod: account.authMethod,
    role: account.role,
    status: account.status,
    createdAt: account.createdAt,
    createdBy: creators.of(account),
    team: { slug: account.team.slug, name: account.team.name },
    canManage: canManageServiceAccount(place.actor, account),
    maxKeyLifetimeDays: account.org.maxKeyLifetimeDays,
    owner: account.owner?.email ?? null,
    ownerLeft: account.owner ? !account.owner.orgMemberships.some((m) => m.orgId === account.orgId) : false,
    contact: account.contact,
    /** Rule 31 in words where Create API key would be, or null when a key may be made. */
    keyPolicyRefusal: newKeyRefusal(
      {
        apiKeys: account.org.apiKeyPolicy as "allowed" | "team_only" | "disabled",
        requireOwner: account.org.requireOwner,
        // The dialog asks for ranges itself; only the policies that forbid any key speak here.
        requireAllowedIpsForOrgScope: false,
      },
      account.scope,
      null,
    ),
    federation: account.federatedIdentities.map((f) => ({
      ...f,
      claimConditions: (f.claimConditions ?? {}) as Record<string, string>,
      allowedIps: storedList(f.allowedIps),
    })),
    /** Requests per UTC day for the last 30 days, oldest first (days without use are 0). */
    usage: Array.from({ length: 30 }, (_, i) => {
      const day = new Date(Date.now() - (29 - i) * DAY_MS).toISOString().slice(0, 10);
      return { day, requests: perDay.get(day) ?? 0 };
    }),
    /** The org's registered identity providers, for "Edit federation". */
    issuers,
    keys: account.keys.map((k) => ({
      id: k.id,
      name: k.name,
      masked: maskedKey(k.last4),
      createdBy: creators.of(k),
      createdAt: k.createdAt,
      expiresAt: k.expiresAt,
      lastUsedAt: k.lastUsedAt,
      lastUsedIp: k.lastUsedIp,
      status: keyStatus(k, now),
      replaced: k.replacedById !== null,
      /** Rule 24, in words: "Read only · 1 project · 10.0.0.0/8". */
      restrictions: describeRestrictions(storedRestrictions(k)),
      projects: storedRestrictions(k).projects,
    })),
    /** Leaked keys an admin has not acknowledged yet: the page's banner. */
    unacknowledgedLeaks: account.keys
      .filter((k) => k.leakedAt && !k.leakAcknowledgedAt)
      .map((k) => ({
        name: k.name,
        masked: maskedKey(k.last4),
        leakedAt: k.leakedAt!,
        foundAt: k.leakSource,
      })),
    events,
  };
}

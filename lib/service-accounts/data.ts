import { z } from "zod";
import { isBoundedId, zText } from "@/lib/validation/text";
import { db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type Caller } from "@/lib/auth/caller";
import { authorizeOrg, authorizeTeam } from "@/lib/authz/guard";
import { loadOrgActor } from "@/lib/authz/data";
import {
  canInOrg,
  canInTeam,
  canManageServiceAccount,
  canSeeProject,
  canViewServiceAccount,
} from "@/lib/authz/policy";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { generateApiKey, maskedKey } from "@/lib/keys/format";
import { decideProjectAccess } from "@/lib/api/policy";
import { invalidateCredentialCache } from "@/lib/keys/credential-cache";
import { serviceAccountIdentity } from "./identity";
import {
  ZCreateApiKeyInput,
  ZCreateServiceAccountInput,
  ZDeleteServiceAccountInput,
  ZListFilters,
  ZSetStatusInput,
  ZUpdateServiceAccountInput,
} from "./schemas";

export const PAGE_SIZE = 20;
const UNUSED_DAYS = 90;
const DAY_MS = 86_400_000;

/** Where a list or a create happens: the Org Dashboard or a team's Service Accounts tab. */
export const ZPlace = z.union([
  z.object({ orgSlug: zText().min(1).max(64) }).strict(),
  z.object({ teamSlug: zText().min(1).max(64) }).strict(),
]);
export type TPlace = z.infer<typeof ZPlace>;

async function resolvePlace(caller: Caller, placeInput: unknown) {
  const parsed = ZPlace.safeParse(placeInput);
  if (!parsed.success) throw new AppError("NOT_FOUND", "That organization or team was not found.");
  const place = parsed.data;
  if ("orgSlug" in place) {
    const { org, actor } = await authorizeOrg(caller.user.id, place.orgSlug, "org.manage_service_accounts");
    return { kind: "org" as const, org: { id: org.id, slug: org.slug }, team: null, actor };
  }
  const { team, actor } = await authorizeTeam(caller.user.id, place.teamSlug, "team.view_service_accounts");
  return { kind: "team" as const, org: { id: team.orgId, slug: team.org.slug }, team, actor };
}

function liveKeyWhere(now: Date): Prisma.ApiKeyWhereInput {
  return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

function accountHref(
  account: { name: string; scope: "ORG" | "TEAM"; team: { slug: string } },
  orgSlug: string,
) {
  return account.scope === "ORG"
    ? `/org/${orgSlug}/service-accounts/${account.name}`
    : `/${account.team.slug}/service-accounts/${account.name}`;
}

/** A page of live service accounts, searchable and filterable, with their last use. */
export async function listServiceAccounts(caller: Caller, placeInput: unknown, filtersInput: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const filters = parseInput(ZListFilters, filtersInput ?? {});
  const now = new Date();
  const cutoff = new Date(now.getTime() - UNUSED_DAYS * DAY_MS);
  const where: Prisma.ServiceAccountWhereInput = {
    orgId: place.org.id,
    deletedAt: null,
    ...(place.team ? { teamId: place.team.id, scope: "TEAM" } : {}),
    ...(!place.team && filters.scope !== "all" ? { scope: filters.scope === "org" ? "ORG" : "TEAM" } : {}),
    ...(filters.q ? { name: { contains: filters.q.toLowerCase() } } : {}),
    ...(filters.status !== "all" ? { status: filters.status === "active" ? "ACTIVE" : "DISABLED" } : {}),
    ...(filters.authMethod !== "all"
      ? { authMethod: filters.authMethod === "api_key" ? "API_KEY" : "FEDERATED" }
      : {}),
    ...(filters.unused
      ? { createdAt: { lte: cutoff }, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: cutoff } }] }
      : {}),
  };
  const [total, rows] = await Promise.all([
    db.serviceAccount.count({ where }),
    db.serviceAccount.findMany({
      where,
      orderBy: { name: "asc" },
      skip: (filters.page - 1) * PAGE_SIZE,
      take: PAGE_SIZE,
      select: {
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
      },
    }),
  ]);
  // Live keys per account of this page only. (A relation _count would aggregate every key of the
  // instance before joining: 170 ms at a million keys; this reads ~10 index entries per row.)
  const liveKeys = await db.apiKey.groupBy({
    by: ["serviceAccountId"],
    where: { serviceAccountId: { in: rows.map((row) => row.id) }, ...liveKeyWhere(now) },
    _count: { _all: true },
  });
  const liveKeysOf = new Map(liveKeys.map((g) => [g.serviceAccountId, g._count._all]));
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
  }));
  return { items, total, page: filters.page, pageSize: PAGE_SIZE };
}

export type ServiceAccountRow = Awaited<ReturnType<typeof listServiceAccounts>>["items"][number];

/** What the tab needs beyond the list: may the caller create here, the teams to pick, key lifetime. */
export async function getCreateOptions(caller: Caller, placeInput: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const { maxKeyLifetimeDays } = await db.organization.findUniqueOrThrow({
    where: { id: place.org.id },
    select: { maxKeyLifetimeDays: true },
  });
  if (place.kind === "team") {
    const canCreate = canInTeam(place.actor, place.team, "team.manage_service_accounts");
    return { canCreate, teams: [], maxKeyLifetimeDays };
  }
  const teams = await db.team.findMany({
    where: { orgId: place.org.id },
    orderBy: { slug: "asc" },
    select: { slug: true, name: true },
  });
  return { canCreate: canInOrg(place.actor, "org.manage_service_accounts"), teams, maxKeyLifetimeDays };
}

async function assertNameFree(tx: Tx, orgId: string, name: string, exceptId?: string) {
  const taken = await tx.serviceAccount.findFirst({
    where: { orgId, name, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) {
    throw new AppError("CONFLICT", `A service account named "${name}" already exists in this organization.`, {
      name: "Already taken in this organization.",
    });
  }
}

/** Creates an org-scoped account (Org Dashboard, org admins) or a team-scoped one (team admins). */
export async function createServiceAccount(caller: Caller, placeInput: unknown, input: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const allowed =
    place.kind === "org"
      ? canInOrg(place.actor, "org.manage_service_accounts")
      : canInTeam(place.actor, place.team, "team.manage_service_accounts");
  if (!allowed) throw new AppError("FORBIDDEN", "Only admins can create service accounts here.");
  const data = parseInput(ZCreateServiceAccountInput, input);

  let team = place.team;
  if (place.kind === "org") {
    if (!data.defaultTeam) {
      throw new AppError("INVALID", "Check the highlighted fields.", {
        defaultTeam: "Choose the team this account logs to when a request names none.",
      });
    }
    team = await db.team.findFirst({
      where: { slug: data.defaultTeam, orgId: place.org.id },
      select: { id: true, slug: true, name: true, orgId: true, org: { select: { slug: true, name: true } } },
    });
    if (!team) {
      throw new AppError("INVALID", "Check the highlighted fields.", {
        defaultTeam: "Choose a team of this organization.",
      });
    }
  }
  const teamId = team!.id;

  return db.$transaction(async (tx) => {
    const org = await tx.organization.findUniqueOrThrow({
      where: { id: place.org.id },
      select: { maxServiceAccounts: true },
    });
    if (org.maxServiceAccounts !== null) {
      const live = await tx.serviceAccount.count({ where: { orgId: place.org.id, deletedAt: null } });
      if (live >= org.maxServiceAccounts) {
        throw new AppError(
          "LIMIT_REACHED",
          `This organization has reached its quota of ${org.maxServiceAccounts} service accounts. Delete unused ones or ask an org admin to raise the quota in Settings.`,
        );
      }
    }
    await assertNameFree(tx, place.org.id, data.name);
    const account = await tx.serviceAccount.create({
      data: {
        orgId: place.org.id,
        teamId,
        scope: place.kind === "org" ? "ORG" : "TEAM",
        name: data.name,
        description: data.description,
        role: data.role,
        authMethod: data.authMethod,
        createdByUserId: caller.user.id,
      },
      select: { id: true, name: true, authMethod: true, scope: true },
    });
    if (data.authMethod === "FEDERATED") {
      await tx.federatedIdentity.create({
        data: {
          serviceAccountId: account.id,
          issuer: data.issuer!.trim(),
          subjectPattern: data.subject!.trim(),
          audience: data.audience!.trim(),
        },
      });
    }
    await recordAudit(tx, {
      orgId: place.org.id,
      ...auditSourceOf(caller),
      action: "service_account.created",
      target: {
        type: "service_account",
        id: account.id,
        name: serviceAccountIdentity(account.name, place.org.slug),
      },
      metadata: {
        scope: account.scope,
        team: team!.slug,
        role: data.role,
        authMethod: data.authMethod,
        ...(data.authMethod === "FEDERATED"
          ? { issuer: data.issuer, subject: data.subject, audience: data.audience }
          : {}),
      },
    });
    return { id: account.id, name: account.name, authMethod: account.authMethod };
  });
}

/**
 * Loads a live account by id and refuses unless the caller may manage it. Its org and team come
 * from the database, never from the request: an id from another team or org is refused.
 */
async function loadManagedAccount(caller: Caller, accountId: unknown) {
  if (!isBoundedId(accountId)) throw new AppError("NOT_FOUND", "Service account not found.");
  const account = await db.serviceAccount.findFirst({
    where: { id: accountId, deletedAt: null },
    select: {
      id: true,
      orgId: true,
      name: true,
      description: true,
      scope: true,
      role: true,
      status: true,
      authMethod: true,
      org: { select: { slug: true, maxKeysPerAccount: true, maxKeyLifetimeDays: true } },
      team: { select: { id: true, slug: true, orgId: true } },
    },
  });
  if (!account) throw new AppError("NOT_FOUND", "Service account not found.");
  const actor = await loadOrgActor(caller.user.id, account.orgId);
  if (!canManageServiceAccount(actor, account)) {
    if (canViewServiceAccount(actor, account)) {
      throw new AppError("FORBIDDEN", "Only admins can change this service account.");
    }
    throw new AppError("NOT_FOUND", "Service account not found.");
  }
  return { ...account, identity: serviceAccountIdentity(account.name, account.org.slug) };
}

export async function updateServiceAccount(caller: Caller, accountId: unknown, input: unknown) {
  const account = await loadManagedAccount(caller, accountId);
  const data = parseInput(ZUpdateServiceAccountInput, input);
  await db.$transaction(async (tx) => {
    if (data.name !== account.name) await assertNameFree(tx, account.orgId, data.name, account.id);
    const changes: Record<string, { from: string; to: string }> = {};
    for (const key of ["name", "description", "role"] as const) {
      if (account[key] !== data[key]) changes[key] = { from: account[key], to: data[key] };
    }
    if (Object.keys(changes).length === 0) return;
    await tx.serviceAccount.update({ where: { id: account.id, orgId: account.orgId }, data });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(caller),
      action: "service_account.updated",
      target: {
        type: "service_account",
        id: account.id,
        name: serviceAccountIdentity(data.name, account.org.slug),
      },
      metadata: { changes },
    });
  });
  invalidateCredentialCache();
}

/** Disables (keys refused) or enables (keys work again) an account. */
export async function setServiceAccountStatus(caller: Caller, accountId: unknown, input: unknown) {
  const account = await loadManagedAccount(caller, accountId);
  const { status } = parseInput(ZSetStatusInput, input);
  if (status === account.status) return;
  await db.$transaction(async (tx) => {
    await tx.serviceAccount.update({ where: { id: account.id, orgId: account.orgId }, data: { status } });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(caller),
      action: status === "DISABLED" ? "service_account.disabled" : "service_account.enabled",
      target: { type: "service_account", id: account.id, name: account.identity },
    });
  });
  invalidateCredentialCache();
}

/** Deletes an account (typed name to confirm): every key is revoked; its audit history stays. */
export async function deleteServiceAccount(caller: Caller, accountId: unknown, input: unknown) {
  const account = await loadManagedAccount(caller, accountId);
  const { confirmName } = parseInput(ZDeleteServiceAccountInput, input);
  if (confirmName.trim() !== account.name) {
    throw new AppError("INVALID", `Type ${account.name} to confirm.`, {
      confirmName: `Type ${account.name} to confirm.`,
    });
  }
  await db.$transaction(async (tx) => {
    const now = new Date();
    const revoked = await tx.apiKey.updateMany({
      where: { serviceAccountId: account.id, revokedAt: null },
      data: { revokedAt: now, revokedByIdentity: caller.user.email },
    });
    await tx.serviceAccount.update({
      where: { id: account.id, orgId: account.orgId },
      data: { deletedAt: now },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(caller),
      action: "service_account.deleted",
      target: { type: "service_account", id: account.id, name: account.identity },
      metadata: { keysRevoked: revoked.count },
    });
  });
  invalidateCredentialCache();
}

/**
 * Creates an API key. The returned token is the only time the secret exists outside the
 * caller's request: the database keeps the key id, a hash of the secret and the last 4 characters.
 */
export async function createApiKey(caller: Caller, accountId: unknown, input: unknown) {
  const account = await loadManagedAccount(caller, accountId);
  if (account.authMethod === "FEDERATED") {
    throw new AppError(
      "INVALID",
      "A federated service account can't own API keys: it authenticates with tokens from its identity provider.",
    );
  }
  if (account.status === "DISABLED") {
    throw new AppError("INVALID", "This service account is disabled. Enable it before creating keys.");
  }
  const data = parseInput(ZCreateApiKeyInput, input);
  const maxDays = account.org.maxKeyLifetimeDays;
  if (maxDays !== null && (data.expiresIn === "never" || Number(data.expiresIn) > maxDays)) {
    throw new AppError("INVALID", "Check the highlighted fields.", {
      expiresIn: `Keys in this organization must expire within ${maxDays} days.`,
    });
  }
  const now = new Date();
  const expiresAt =
    data.expiresIn === "never" ? null : new Date(now.getTime() + Number(data.expiresIn) * DAY_MS);
  const generated = generateApiKey();

  const key = await db.$transaction(async (tx) => {
    if (account.org.maxKeysPerAccount !== null) {
      const live = await tx.apiKey.count({ where: { serviceAccountId: account.id, ...liveKeyWhere(now) } });
      if (live >= account.org.maxKeysPerAccount) {
        throw new AppError(
          "LIMIT_REACHED",
          `${account.name} already has ${live} active keys, this organization's quota. Revoke one before creating another.`,
        );
      }
    }
    const created = await tx.apiKey.create({
      data: {
        keyId: generated.keyId,
        secretHash: generated.secretHash,
        last4: generated.last4,
        name: data.name,
        serviceAccountId: account.id,
        createdByUserId: caller.user.id,
        expiresAt,
      },
      select: { id: true, name: true, last4: true, expiresAt: true },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(caller),
      action: "api_key.created",
      target: { type: "service_account", id: account.id, name: account.identity },
      metadata: {
        keyName: created.name,
        key: maskedKey(created.last4),
        expiresAt: created.expiresAt?.toISOString() ?? null,
      },
    });
    return created;
  });
  return { id: key.id, name: key.name, last4: key.last4, expiresAt: key.expiresAt, secret: generated.token };
}

export async function revokeApiKey(caller: Caller, accountId: unknown, apiKeyId: unknown) {
  const account = await loadManagedAccount(caller, accountId);
  if (!isBoundedId(apiKeyId)) throw new AppError("NOT_FOUND", "API key not found.");
  await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({
      where: { id: apiKeyId, serviceAccountId: account.id },
      select: { id: true, name: true, last4: true, revokedAt: true },
    });
    if (!key) throw new AppError("NOT_FOUND", "API key not found on this service account.");
    if (key.revokedAt) return;
    await tx.apiKey.update({
      where: { id: key.id, serviceAccountId: account.id },
      data: { revokedAt: new Date(), revokedByIdentity: caller.user.email },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(caller),
      action: "api_key.revoked",
      target: { type: "service_account", id: account.id, name: account.identity },
      metadata: { keyName: key.name, key: maskedKey(key.last4) },
    });
  });
  invalidateCredentialCache();
}

export type KeyStatus = "active" | "expired" | "revoked";

function keyStatus(key: { revokedAt: Date | null; expiresAt: Date | null }, now: number): KeyStatus {
  if (key.revokedAt) return "revoked";
  return key.expiresAt && key.expiresAt.getTime() <= now ? "expired" : "active";
}

/**
 * The live account a page names: a team's tab shows only that team's accounts, the Org Dashboard
 * only org-scoped ones (team-scoped accounts are opened from their team).
 */
function accountInPlace(
  place: Awaited<ReturnType<typeof resolvePlace>>,
  name: unknown,
): Prisma.ServiceAccountWhereInput {
  if (!isBoundedId(name)) throw new AppError("NOT_FOUND", "Service account not found.");
  return {
    orgId: place.org.id,
    name,
    deletedAt: null,
    ...(place.team ? { teamId: place.team.id, scope: "TEAM" } : { scope: "ORG" }),
  };
}

/** The detail page: identity, keys (never a hash), federation settings and recent activity. */
export async function getServiceAccountDetail(caller: Caller, placeInput: unknown, name: unknown) {
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
      org: { select: { maxKeyLifetimeDays: true } },
      team: { select: { id: true, slug: true, name: true, orgId: true } },
      federatedIdentities: {
        select: { issuer: true, subjectPattern: true, audience: true, claimConditions: true },
      },
      keys: {
        orderBy: { createdAt: "desc" },
        select: {
          id: true,
          name: true,
          last4: true,
          createdAt: true,
          createdByUserId: true,
          expiresAt: true,
          lastUsedAt: true,
          revokedAt: true,
        },
      },
    },
  });
  if (!account || !canViewServiceAccount(place.actor, account)) {
    throw new AppError("NOT_FOUND", "Service account not found.");
  }
  const userIds = [account.createdByUserId, ...account.keys.map((k) => k.createdByUserId)].filter(
    (id): id is string => id !== null,
  );
  const [people, events] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }),
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
  ]);
  const emailOf = (id: string | null) => people.find((p) => p.id === id)?.email ?? "—";
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
    createdBy: emailOf(account.createdByUserId),
    team: { slug: account.team.slug, name: account.team.name },
    canManage: canManageServiceAccount(place.actor, account),
    maxKeyLifetimeDays: account.org.maxKeyLifetimeDays,
    federation: account.federatedIdentities,
    keys: account.keys.map((k) => ({
      id: k.id,
      name: k.name,
      masked: maskedKey(k.last4),
      createdBy: emailOf(k.createdByUserId),
      createdAt: k.createdAt,
      expiresAt: k.expiresAt,
      lastUsedAt: k.lastUsedAt,
      status: keyStatus(k, now),
    })),
    events,
  };
}

/**
 * "Why?" for admins: the org's projects with whether this account may read and write each, and
 * the rule that decides — computed by the same policy the API enforces. Only projects the viewing
 * person could open themselves are named (SPEC §8); the rest are only counted.
 */
export async function explainProjectAccess(caller: Caller, placeInput: unknown, name: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const account = await db.serviceAccount.findFirst({
    where: accountInPlace(place, name),
    select: { id: true, orgId: true, scope: true, role: true, team: { select: { id: true, orgId: true } } },
  });
  if (!account || !canManageServiceAccount(place.actor, account)) {
    throw new AppError("NOT_FOUND", "Service account not found.");
  }
  const projects = await db.project.findMany({
    where: { team: { orgId: account.orgId } },
    orderBy: [{ team: { slug: "asc" } }, { name: "asc" }],
    select: {
      id: true,
      name: true,
      visibility: true,
      teamId: true,
      team: { select: { slug: true } },
      // The account's grant decides its access; the viewer's own grant decides whether they see the row.
      access: {
        where: { OR: [{ serviceAccountId: account.id }, { userId: caller.user.id }] },
        select: { serviceAccountId: true, userId: true },
      },
    },
  });
  const visible = projects.filter((p) =>
    canSeeProject(place.actor, {
      visibility: p.visibility,
      team: { id: p.teamId, orgId: account.orgId },
      isGranted: p.access.some((a) => a.userId === caller.user.id),
    }),
  );
  const principal = {
    orgId: account.orgId,
    scope: account.scope,
    teamId: account.team.id,
    role: account.role,
  };
  const rows = visible.map((p) => {
    const facts = {
      orgId: account.orgId,
      teamId: p.teamId,
      visibility: p.visibility,
      isGranted: p.access.some((a) => a.serviceAccountId === account.id),
    };
    const read = decideProjectAccess(principal, facts, "read");
    const write = decideProjectAccess(principal, facts, "write");
    return {
      project: `${p.team.slug}/${p.name}`,
      visibility: p.visibility,
      read: read.allowed,
      write: write.allowed,
      // The rule that limits the account most: the write rule when writing is refused.
      why: write.allowed ? write.rule : read.allowed ? `read only — ${write.rule}` : read.rule,
    };
  });
  return { rows, hiddenCount: projects.length - visible.length };
}

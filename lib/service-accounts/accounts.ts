// The account lifecycle: create, edit, disable/enable, delete — each change with its audit event.
import { isBoundedId } from "@/lib/validation/text";
import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type Caller } from "@/lib/auth/caller";
import { loadOrgActor } from "@/lib/authz/data";
import { canInOrg, canInTeam, canManageServiceAccount, canViewServiceAccount } from "@/lib/authz/policy";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { invalidateCredentialCache } from "@/lib/keys/credential-cache";
import { serviceAccountIdentity } from "./identity";
import {
  ZCreateServiceAccountInput,
  ZDeleteServiceAccountInput,
  ZSetStatusInput,
  ZUpdateServiceAccountInput,
} from "./schemas";
import { resolvePlace } from "./place";

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
export async function loadManagedAccount(caller: Caller, accountId: unknown) {
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

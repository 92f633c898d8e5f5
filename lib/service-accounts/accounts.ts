// The account lifecycle — create, read, change, delete — for any principal: a person in the
// console or an ADMIN service account through the management API (rule 17). Each change writes
// its audit event, naming the principal, in the same transaction.
import { isBoundedId } from "@/lib/validation/text";
import { db, type Tx } from "@/lib/db";
import { lockRow } from "@/lib/db/row-lock";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit/record";
import { loadOrgActor } from "@/lib/authz/data";
import { canInOrg, canInTeam, canManageServiceAccount, canViewServiceAccount } from "@/lib/authz/policy";
import {
  decideAccountCreation,
  decideAccountManagement,
  type ManagementChange,
} from "@/lib/authz/management";
import {
  auditSourceOf,
  createdByOf,
  isServiceAccountPrincipal,
  principalIdentity,
  type Principal,
} from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { invalidateCredentialCache } from "@/lib/keys/credential-cache";
import { orgPolicies, policyDenied } from "@/lib/orgs/policies";
import { OWNER_REQUIRED } from "@/lib/orgs/policy-rules";
import { serviceAccountIdentity } from "./identity";
import {
  ZDeleteServiceAccountInput,
  ZNewServiceAccount,
  ZServiceAccountPatch,
  type TFederationSettings,
  type TNewServiceAccount,
  type TServiceAccountPatch,
} from "./schemas";

async function assertNameFree(tx: Tx, orgId: string, name: string, exceptId?: string) {
  const taken = await tx.serviceAccount.findFirst({
    where: { orgId, name, deletedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) {
    throw new AppError(
      "NAME_TAKEN",
      `A service account named "${name}" already exists in this organization. Choose another name.`,
      { name: "Already taken in this organization." },
    );
  }
}

const NOT_FOUND = () => new AppError("NOT_FOUND", "Service account not found.");

/** Rule 18: a federated account trusts one identity provider registered in its org. */
async function assertRegisteredIssuer(orgId: string, issuer: string) {
  const provider = await db.identityProvider.findUnique({
    where: { orgId_issuer: { orgId, issuer } },
    select: { id: true },
  });
  if (!provider) {
    throw new AppError(
      "INVALID",
      `${issuer} is not a registered identity provider of this organization. Add it under Org Dashboard → Identity providers first.`,
      { issuer: "Register this issuer under Identity providers first." },
    );
  }
}

/**
 * The team a new account belongs to, found where the principal may look: its org, or any org the
 * person is in. When the caller chose it from one org's teams (`inOrgId`, the Org Dashboard's
 * default-team picker), a team of another org is a wrong choice in the form, not a missing team.
 */
async function findTeamFor(principal: Principal, slug: string, inOrgId: string | undefined) {
  const orgId = isServiceAccountPrincipal(principal) ? principal.serviceAccount.orgId : inOrgId;
  const team = isBoundedId(slug)
    ? await db.team.findFirst({
        where: { slug, ...(orgId ? { orgId } : {}) },
        select: { id: true, slug: true, orgId: true, org: { select: { slug: true } } },
      })
    : null;
  if (team) return team;
  if (inOrgId && !isServiceAccountPrincipal(principal)) {
    throw new AppError("INVALID", "Check the highlighted fields.", {
      team: "Choose a team of this organization.",
    });
  }
  if (!isBoundedId(slug)) throw new AppError("NOT_FOUND", "Team not found.");
  throw new AppError("NOT_FOUND", `Team "${slug}" was not found in this organization.`);
}

/** Where a creation happens, beyond its input: the org whose teams the person chose from. */
export type CreationPlace = { orgId?: string };

/** Creates an org-scoped account (org admins, org-scoped ADMIN accounts) or a team-scoped one. */
export async function createAccount(
  principal: Principal,
  input: TNewServiceAccount,
  place: CreationPlace = {},
) {
  const data = parseInput(ZNewServiceAccount, input);
  const team = await findTeamFor(principal, data.team, place.orgId);
  if (isServiceAccountPrincipal(principal)) {
    if (
      decideAccountCreation(principal.serviceAccount, { scope: data.scope, teamId: team.id }) !== "allowed"
    ) {
      throw new AppError(
        "FORBIDDEN",
        principal.serviceAccount.role !== "ADMIN"
          ? "Only ADMIN service accounts may use the management API."
          : "A team-scoped account creates only team-scoped accounts of its own team.",
      );
    }
  } else {
    const actor = await loadOrgActor(principal.user.id, team.orgId);
    if (actor.orgRole === null) throw new AppError("NOT_FOUND", `Team "${data.team}" was not found.`);
    const allowed =
      data.scope === "ORG"
        ? canInOrg(actor, "org.manage_service_accounts")
        : canInTeam(actor, team, "team.manage_service_accounts");
    if (!allowed) throw new AppError("FORBIDDEN", "Only admins can create service accounts here.");
  }

  if (data.federation) await assertRegisteredIssuer(team.orgId, data.federation.issuer);
  // Rule 30: the owner named, or by default the person creating it (an account creating one
  // through the API has no default: it names one or none).
  const ownerUserId =
    data.owner === undefined
      ? isServiceAccountPrincipal(principal)
        ? null
        : principal.user.id
      : await ownerIdOf(team.orgId, data.owner);
  return db.$transaction(async (tx) => {
    // The org's row lock orders parallel creations (and a quota change) in one org, so the count
    // below sees every account committed before it: the quota holds on PostgreSQL too.
    await lockRow(tx, "organization", team.orgId);
    const org = await tx.organization.findUniqueOrThrow({
      where: { id: team.orgId },
      select: { maxServiceAccounts: true },
    });
    if (org.maxServiceAccounts !== null) {
      const live = await tx.serviceAccount.count({ where: { orgId: team.orgId, deletedAt: null } });
      if (live >= org.maxServiceAccounts) {
        throw new AppError(
          "LIMIT_REACHED",
          `This organization has reached its quota of ${org.maxServiceAccounts} service accounts. Delete unused ones or ask an org admin to raise the quota in Settings.`,
        );
      }
    }
    await assertNameFree(tx, team.orgId, data.name);
    if (ownerUserId === null && (await orgPolicies(tx, team.orgId)).requireOwner)
      throw policyDenied(OWNER_REQUIRED);
    const account = await tx.serviceAccount.create({
      data: {
        orgId: team.orgId,
        teamId: team.id,
        scope: data.scope,
        name: data.name,
        description: data.description,
        role: data.role,
        authMethod: data.authMethod,
        ownerUserId,
        contact: data.contact ?? null,
        ...createdByOf(principal),
      },
      select: { id: true, name: true, authMethod: true, scope: true },
    });
    if (data.federation) await writeFederation(tx, account.id, data.federation);
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
      action: "service_account.created",
      target: {
        type: "service_account",
        id: account.id,
        name: serviceAccountIdentity(account.name, team.org.slug),
      },
      metadata: {
        scope: account.scope,
        team: team.slug,
        role: data.role,
        authMethod: data.authMethod,
        ...(data.federation ? federationAuditView(data.federation) : {}),
      },
    });
    return { id: account.id, name: account.name, authMethod: account.authMethod };
  });
}

async function writeFederation(tx: Tx, serviceAccountId: string, federation: TFederationSettings) {
  const values = {
    issuer: federation.issuer,
    subjectPattern: federation.subject,
    audience: federation.audience,
    claimConditions: federation.claims as Prisma.InputJsonObject,
    allowedIps: federation.allowedIps ? JSON.stringify(federation.allowedIps) : null,
  };
  const existing = await tx.federatedIdentity.findFirst({
    where: { serviceAccountId },
    select: { id: true },
  });
  if (existing) await tx.federatedIdentity.update({ where: { id: existing.id }, data: values });
  else await tx.federatedIdentity.create({ data: { serviceAccountId, ...values } });
}

function federationAuditView(federation: TFederationSettings) {
  return {
    issuer: federation.issuer,
    subject: federation.subject,
    audience: federation.audience,
    claims: federation.claims,
    allowedIps: federation.allowedIps ?? null,
  };
}

const MANAGED_SELECT = {
  id: true,
  orgId: true,
  teamId: true,
  name: true,
  description: true,
  scope: true,
  role: true,
  status: true,
  authMethod: true,
  org: { select: { slug: true, maxKeysPerAccount: true, maxKeyLifetimeDays: true } },
  team: { select: { id: true, slug: true, orgId: true } },
} satisfies Prisma.ServiceAccountSelect;

/**
 * Loads a live account and refuses unless the principal may do `change` to it. A service account
 * names it by id or name within its own org; a person by id. Its org and team come from the
 * database, never from the request: an id from another team or org is refused as not found.
 */
export async function loadManagedAccount(
  principal: Principal,
  ref: unknown,
  change: ManagementChange = "edit",
) {
  if (!isBoundedId(ref)) throw NOT_FOUND();
  if (isServiceAccountPrincipal(principal)) {
    const admin = principal.serviceAccount;
    const matches = await db.serviceAccount.findMany({
      where: { orgId: admin.orgId, deletedAt: null, OR: [{ id: ref }, { name: ref }] },
      select: MANAGED_SELECT,
      take: 2,
    });
    // An id wins over a name that happens to spell another account's id.
    const account = matches.find((m) => m.id === ref) ?? matches[0];
    if (!account) throw NOT_FOUND();
    const decision = decideAccountManagement(admin, account, change);
    if (decision === "not_found") throw NOT_FOUND();
    if (decision === "forbidden") {
      throw new AppError(
        "FORBIDDEN",
        admin.role !== "ADMIN"
          ? "Only ADMIN service accounts may use the management API."
          : "A service account can't change its own role or status or delete itself. Ask another admin.",
      );
    }
    return { ...account, identity: serviceAccountIdentity(account.name, account.org.slug) };
  }
  const account = await db.serviceAccount.findFirst({
    where: { id: ref, deletedAt: null },
    select: MANAGED_SELECT,
  });
  if (!account) throw NOT_FOUND();
  const actor = await loadOrgActor(principal.user.id, account.orgId);
  const allowed =
    change === "view" ? canViewServiceAccount(actor, account) : canManageServiceAccount(actor, account);
  if (!allowed) {
    if (canViewServiceAccount(actor, account)) {
      throw new AppError("FORBIDDEN", "Only admins can change this service account.");
    }
    throw NOT_FOUND();
  }
  return { ...account, identity: serviceAccountIdentity(account.name, account.org.slug) };
}

export type ManagedAccount = Awaited<ReturnType<typeof loadManagedAccount>>;

/** Rule 30: the user id of the owner named by email, who must be a person of the org; null stays null. */
async function ownerIdOf(orgId: string, email: string | null): Promise<string | null> {
  if (email === null) return null;
  const member = await db.orgMembership.findFirst({
    where: { orgId, user: { email } },
    select: { userId: true },
  });
  if (!member) {
    const message = `No person of this organization has the email ${email}: the owner must be a member.`;
    throw new AppError("INVALID", message, { owner: message });
  }
  return member.userId;
}

/** Changes any of name, description, role, status, owner, contact and trust settings, in one transaction. */
export async function updateAccount(principal: Principal, ref: unknown, input: TServiceAccountPatch) {
  const patch = parseInput(ZServiceAccountPatch, input);
  const touchesRoleOrStatus = patch.role !== undefined || patch.status !== undefined;
  const account = await loadManagedAccount(principal, ref, touchesRoleOrStatus ? "role_or_status" : "edit");
  if (patch.federation && account.authMethod !== "FEDERATED") {
    throw new AppError(
      "INVALID",
      "Only a federated service account has trust settings; this one authenticates with API keys.",
    );
  }
  if (patch.federation) await assertRegisteredIssuer(account.orgId, patch.federation.issuer);
  const ownerUserId = patch.owner === undefined ? undefined : await ownerIdOf(account.orgId, patch.owner);
  await db.$transaction(async (tx) => {
    const name = patch.name ?? account.name;
    if (name !== account.name) await assertNameFree(tx, account.orgId, name, account.id);
    const target = {
      type: "service_account",
      id: account.id,
      name: serviceAccountIdentity(name, account.org.slug),
    };
    const changes: Record<string, { from: string; to: string }> = {};
    for (const key of ["name", "description", "role"] as const) {
      const to = patch[key];
      if (to !== undefined && account[key] !== to) changes[key] = { from: account[key], to };
    }
    const statusChanged = patch.status !== undefined && patch.status !== account.status;
    if (ownerUserId !== undefined || patch.contact !== undefined) {
      const before = await tx.serviceAccount.findUniqueOrThrow({
        where: { id: account.id },
        select: { ownerUserId: true, contact: true, owner: { select: { email: true } } },
      });
      if (ownerUserId !== undefined && ownerUserId !== before.ownerUserId) {
        changes.owner = { from: before.owner?.email ?? "", to: patch.owner ?? "" };
      }
      if (patch.contact !== undefined && (patch.contact ?? null) !== before.contact) {
        changes.contact = { from: before.contact ?? "", to: patch.contact ?? "" };
      }
      if (changes.owner || changes.contact) {
        await tx.serviceAccount.update({
          where: { id: account.id, orgId: account.orgId },
          data: {
            ...(changes.owner ? { ownerUserId } : {}),
            ...(changes.contact ? { contact: patch.contact ?? null } : {}),
          },
        });
      }
    }
    if (Object.keys(changes).length > 0 || statusChanged) {
      await tx.serviceAccount.update({
        where: { id: account.id, orgId: account.orgId },
        data: {
          ...(changes.name ? { name } : {}),
          ...(changes.description ? { description: patch.description } : {}),
          ...(changes.role ? { role: patch.role } : {}),
          ...(statusChanged ? { status: patch.status } : {}),
        },
      });
    }
    if (Object.keys(changes).length > 0) {
      await recordAudit(tx, {
        orgId: account.orgId,
        ...auditSourceOf(principal),
        action: "service_account.updated",
        target,
        metadata: { changes },
      });
    }
    if (statusChanged) {
      await recordAudit(tx, {
        orgId: account.orgId,
        ...auditSourceOf(principal),
        action: patch.status === "DISABLED" ? "service_account.disabled" : "service_account.enabled",
        target,
      });
    }
    if (patch.federation) {
      await writeFederation(tx, account.id, patch.federation);
      await recordAudit(tx, {
        orgId: account.orgId,
        ...auditSourceOf(principal),
        action: "service_account.federation_updated",
        target,
        metadata: federationAuditView(patch.federation),
      });
    }
  });
  invalidateCredentialCache();
  return { id: account.id };
}

/**
 * Deletes an account: every key is revoked in the same transaction; its audit history stays.
 * With `confirmation` (the console's "type the name" field), the typed name must be the account's:
 * checked after authorising, so a stranger learns nothing from a wrong name.
 */
export async function deleteAccount(principal: Principal, ref: unknown, options?: { confirmation: unknown }) {
  const account = await loadManagedAccount(principal, ref, "delete");
  if (options) {
    const { confirmName } = parseInput(ZDeleteServiceAccountInput, options.confirmation);
    if (confirmName.trim() !== account.name) {
      throw new AppError("INVALID", `Type ${account.name} to confirm.`, {
        confirmName: `Type ${account.name} to confirm.`,
      });
    }
  }
  await db.$transaction(async (tx) => {
    // A key created or rotated in parallel holds this lock too: it either commits first (and is
    // revoked here) or sees the account deleted.
    await lockRow(tx, "serviceAccount", account.id);
    const now = new Date();
    const revoked = await tx.apiKey.updateMany({
      where: { serviceAccountId: account.id, revokedAt: null },
      data: { revokedAt: now, revokedByIdentity: principalIdentity(principal) },
    });
    const tokens = await tx.accessToken.deleteMany({ where: { serviceAccountId: account.id } });
    await tx.serviceAccount.update({
      where: { id: account.id, orgId: account.orgId },
      data: { deletedAt: now },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(principal),
      action: "service_account.deleted",
      target: { type: "service_account", id: account.id, name: account.identity },
      metadata: { keysRevoked: revoked.count, shortLivedAccessRevoked: tokens.count },
    });
  });
  invalidateCredentialCache();
}

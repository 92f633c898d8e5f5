import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type PersonPrincipal, type Principal } from "@/lib/core/principal";
import { generateOneTimePassword, hashPassword } from "@/lib/auth/password";
import { authorizeOrg, authorizeOrgFor } from "@/lib/authz/guard";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import {
  ZAddOrgMemberInput,
  ZChangeOrgRoleInput,
  ZOrgSettingsInput,
  ZRemoveOrgMemberInput,
  ZSetupInput,
} from "./schemas";

/** True once anyone exists: /setup is then closed for good. */
export async function isSetUp(): Promise<boolean> {
  return (await db.user.count()) > 0;
}

/** Creates the first organization and its first admin on an empty database. */
export async function createFirstOrganization(
  input: unknown,
  source: { ip: string | null; userAgent: string | null },
) {
  const data = parseInput(ZSetupInput, input);
  // Check before hashing: scrypt costs ~50 ms and 32 MiB, and this endpoint needs no session,
  // so once setup is done it must not be a free CPU and memory lever. The transaction checks
  // again, for two setups racing.
  if ((await db.user.count()) > 0) {
    throw new AppError("CONFLICT", "Deputy is already set up. Sign in instead.");
  }
  const passwordHash = await hashPassword(data.password);
  return db.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) {
      throw new AppError("CONFLICT", "Deputy is already set up. Sign in instead.");
    }
    const org = await tx.organization.create({ data: { slug: data.orgSlug, name: data.orgName } });
    const user = await tx.user.create({ data: { email: data.email, name: data.name, passwordHash } });
    await tx.orgMembership.create({ data: { orgId: org.id, userId: user.id, role: "ADMIN" } });
    const actor = { type: "USER" as const, id: user.id, identity: user.email };
    await recordAudit(tx, {
      orgId: org.id,
      actor,
      action: "org.created",
      target: { type: "organization", id: org.id, name: org.slug },
      metadata: { name: org.name, via: "setup" },
      ...source,
    });
    await recordAudit(tx, {
      orgId: org.id,
      actor,
      action: "org.member_added",
      target: { type: "user", id: user.id, name: user.email },
      metadata: { role: "ADMIN" },
      ...source,
    });
    return { orgSlug: org.slug, email: user.email };
  });
}

/** Humans holding a seat: org members. Service accounts are not members and never count. */
export async function countSeatsUsed(orgId: string): Promise<number> {
  return db.orgMembership.count({ where: { orgId } });
}

/** The org whose dashboard the caller opens (org admins only). */
export async function getOrgHeader(caller: PersonPrincipal, orgSlug: string) {
  return (await authorizeOrg(caller.user.id, orgSlug, "org.view_dashboard")).org;
}

/** The org with its seat usage, for the Members tab. */
export async function getOrgOverview(caller: PersonPrincipal, orgSlug: string) {
  const org = await getOrgHeader(caller, orgSlug);
  return { ...org, seatsUsed: await countSeatsUsed(org.id) };
}

/** The org's people with their teams: for org admins, and read-only for org-scoped ADMIN accounts. */
export async function listOrgMembers(principal: Principal, orgSlug?: string) {
  const { org } = await authorizeOrgFor(principal, orgSlug, "org.view_dashboard");
  const members = await db.orgMembership.findMany({
    where: { orgId: org.id },
    orderBy: { user: { email: "asc" } },
    select: {
      role: true,
      createdAt: true,
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          teamMemberships: {
            where: { team: { orgId: org.id } },
            select: { role: true, team: { select: { slug: true } } },
          },
        },
      },
    },
  });
  return members.map((m) => ({
    userId: m.user.id,
    email: m.user.email,
    name: m.user.name,
    role: m.role,
    joinedAt: m.createdAt,
    teams: m.user.teamMemberships.map((t) => ({ slug: t.team.slug, role: t.role })),
  }));
}

/**
 * Adds a person to the org, creating the user with a one-time password when the email is new.
 * The password is returned once, for the admin to pass on; only its hash is stored.
 */
export async function addOrgMember(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_members");
  const data = parseInput(ZAddOrgMemberInput, input);

  // Hash outside the transaction: scrypt is slow by design and must not hold the write lock.
  const existing = await db.user.findUnique({ where: { email: data.email }, select: { id: true } });
  const oneTimePassword = existing ? null : generateOneTimePassword();
  const passwordHash = oneTimePassword ? await hashPassword(oneTimePassword) : null;

  const createdUser = await db.$transaction(async (tx) => {
    const { seatLimit } = await tx.organization.findUniqueOrThrow({
      where: { id: org.id },
      select: { seatLimit: true },
    });
    const used = await tx.orgMembership.count({ where: { orgId: org.id } });
    if (used >= seatLimit) {
      throw new AppError(
        "LIMIT_REACHED",
        `All ${seatLimit} seats are in use. Raise the seat limit in Settings or remove a member first. (Service accounts never use seats.)`,
      );
    }
    let user = await tx.user.findUnique({ where: { email: data.email }, select: { id: true, email: true } });
    const isNewUser = !user;
    if (!user) {
      if (!passwordHash) throw new AppError("CONFLICT", "That person was just removed; try again.");
      user = await tx.user.create({
        data: {
          email: data.email,
          name: data.name || data.email.split("@")[0] || data.email,
          passwordHash,
          mustChangePassword: true,
        },
        select: { id: true, email: true },
      });
    } else if (
      await tx.orgMembership.findUnique({ where: { orgId_userId: { orgId: org.id, userId: user.id } } })
    ) {
      throw new AppError("CONFLICT", `${data.email} is already a member of ${org.name}.`, {
        email: "Already a member.",
      });
    }
    await tx.orgMembership.create({ data: { orgId: org.id, userId: user.id, role: data.role } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "org.member_added",
      target: { type: "user", id: user.id, name: user.email },
      metadata: { role: data.role, newUser: isNewUser },
    });
    return isNewUser;
  });
  return { email: data.email, oneTimePassword: createdUser ? oneTimePassword : null };
}

/** Refuses a change that would leave the org without an admin. */
async function assertAnotherAdminRemains(tx: Tx, orgId: string) {
  const admins = await tx.orgMembership.count({ where: { orgId, role: "ADMIN" } });
  if (admins <= 1) {
    throw new AppError(
      "CONFLICT",
      "An organization needs at least one admin. Make someone else an admin first.",
    );
  }
}

export async function changeOrgMemberRole(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_members");
  const data = parseInput(ZChangeOrgRoleInput, input);
  await db.$transaction(async (tx) => {
    const membership = await tx.orgMembership.findUnique({
      where: { orgId_userId: { orgId: org.id, userId: data.userId } },
      select: { id: true, role: true, user: { select: { email: true } } },
    });
    if (!membership) throw new AppError("NOT_FOUND", "That person is not a member of this organization.");
    if (membership.role === data.role) return;
    if (membership.role === "ADMIN") await assertAnotherAdminRemains(tx, org.id);
    await tx.orgMembership.update({ where: { id: membership.id, orgId: org.id }, data: { role: data.role } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "org.member_role_changed",
      target: { type: "user", id: data.userId, name: membership.user.email },
      metadata: { from: membership.role, to: data.role },
    });
  });
}

/** Removes a person from the org, with their team roles and project grants in it. */
export async function removeOrgMember(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_members");
  const data = parseInput(ZRemoveOrgMemberInput, input);
  await db.$transaction(async (tx) => {
    const membership = await tx.orgMembership.findUnique({
      where: { orgId_userId: { orgId: org.id, userId: data.userId } },
      select: { id: true, role: true, user: { select: { email: true } } },
    });
    if (!membership) throw new AppError("NOT_FOUND", "That person is not a member of this organization.");
    if (membership.role === "ADMIN") await assertAnotherAdminRemains(tx, org.id);
    await tx.teamMembership.deleteMany({ where: { userId: data.userId, team: { orgId: org.id } } });
    await tx.projectAccess.deleteMany({
      where: { userId: data.userId, project: { team: { orgId: org.id } } },
    });
    await tx.orgMembership.delete({ where: { id: membership.id, orgId: org.id } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "org.member_removed",
      target: { type: "user", id: data.userId, name: membership.user.email },
      metadata: { role: membership.role },
    });
  });
}

export async function getOrgSettings(caller: PersonPrincipal, orgSlug: string) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_settings");
  return db.organization.findUniqueOrThrow({
    where: { id: org.id },
    select: {
      slug: true,
      name: true,
      seatLimit: true,
      maxServiceAccounts: true,
      maxKeysPerAccount: true,
      maxKeyLifetimeDays: true,
    },
  });
}

export async function updateOrgSettings(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_settings");
  const data = parseInput(ZOrgSettingsInput, input);
  await db.$transaction(async (tx) => {
    const before = await tx.organization.findUniqueOrThrow({
      where: { id: org.id },
      select: {
        name: true,
        seatLimit: true,
        maxServiceAccounts: true,
        maxKeysPerAccount: true,
        maxKeyLifetimeDays: true,
      },
    });
    const used = await tx.orgMembership.count({ where: { orgId: org.id } });
    if (data.seatLimit < used) {
      throw new AppError(
        "CONFLICT",
        `${used} people hold seats now. Set at least ${used}, or remove members first.`,
        {
          seatLimit: `At least ${used}.`,
        },
      );
    }
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(before) as (keyof typeof before)[]) {
      if (before[key] !== data[key]) changes[key] = { from: before[key], to: data[key] };
    }
    if (Object.keys(changes).length === 0) return;
    await tx.organization.update({ where: { id: org.id }, data });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "org.settings_changed",
      target: { type: "organization", id: org.id, name: org.slug },
      metadata: { changes },
    });
  });
}

/** The orgs and teams a person belongs to, for the top navigation and the home redirect. */
export async function listPlacesOf(userId: string) {
  const memberships = await db.orgMembership.findMany({
    where: { userId },
    orderBy: { org: { name: "asc" } },
    select: {
      role: true,
      org: {
        select: {
          slug: true,
          name: true,
          teams: {
            orderBy: { slug: "asc" },
            select: { slug: true, name: true, memberships: { where: { userId }, select: { role: true } } },
          },
        },
      },
    },
  });
  return memberships.map((m) => ({
    slug: m.org.slug,
    name: m.org.name,
    role: m.role,
    // Org admins reach every team of their org; others only the teams they belong to.
    teams: m.org.teams
      .filter((t) => m.role === "ADMIN" || t.memberships.length > 0)
      .map((t) => ({ slug: t.slug, name: t.name, role: t.memberships[0]?.role ?? null })),
  }));
}

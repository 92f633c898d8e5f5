// The org's people: who is a member, and adding, re-roling and removing them (seats and the
// last-admin rule are checked here, inside the transaction that makes the change).
import { lockRow } from "@/lib/db/row-lock";
import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type PersonPrincipal, type Principal } from "@/lib/core/principal";
import { generateOneTimePassword, hashPassword } from "@/lib/auth/password";
import { authorizeOrg, authorizeOrgFor } from "@/lib/authz/guard";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { endAllSessions } from "@/lib/users/sessions";
import { ZAddOrgMemberInput, ZChangeOrgRoleInput, ZRemoveOrgMemberInput } from "./schemas";

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
 * Refuses LIMIT_REACHED when every seat of the org is taken. Call it in the transaction that then
 * adds the membership (console, SCIM, single sign-on): it locks the org row first, so parallel
 * adds cannot both see the last free seat (count, then insert, under READ COMMITTED).
 */
export async function claimSeat(tx: Tx, orgId: string): Promise<void> {
  await lockRow(tx, "organization", orgId);
  const { seatLimit } = await tx.organization.findUniqueOrThrow({
    where: { id: orgId },
    select: { seatLimit: true },
  });
  const used = await tx.orgMembership.count({ where: { orgId } });
  if (used >= seatLimit) {
    throw new AppError(
      "LIMIT_REACHED",
      `All ${seatLimit} seats are in use. Raise the seat limit in Settings or remove a member first. (Service accounts never use seats.)`,
    );
  }
}

/**
 * Adds a person to the org, creating the user with a one-time password when the email is new.
 * The password is returned once, for the admin to pass on; only its hash is stored.
 */
export async function addOrgMember(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_members");
  const data = parseInput(ZAddOrgMemberInput, input);

  // Hash outside the transaction: scrypt is slow by design and must not hold the write lock.
  const existing = await db.user.findUnique({ where: { email: data.email }, select: { id: true } });
  const oneTimePassword = existing ? null : generateOneTimePassword();
  const passwordHash = oneTimePassword ? await hashPassword(oneTimePassword) : null;

  const createdUser = await db.$transaction(async (tx) => {
    await claimSeat(tx, org.id);
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

/** Changes a member's org role; taking the role from the last admin is refused. */
export async function changeOrgMemberRole(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_members");
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
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_members");
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
    // Rule 36: the person is refused on their next request, not when their cookie expires.
    await endAllSessions(data.userId, tx);
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "org.member_removed",
      target: { type: "user", id: data.userId, name: membership.user.email },
      metadata: { role: membership.role },
    });
  });
}

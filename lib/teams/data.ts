import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import {
  auditSourceOf,
  isServiceAccountPrincipal,
  type PersonPrincipal,
  type Principal,
} from "@/lib/core/principal";
import { authorizeOrg, authorizeOrgFor, authorizeTeam, authorizeTeamFor } from "@/lib/authz/guard";
import { decideOrgOperation, decideTeamOperation } from "@/lib/authz/management";
import { canInTeam } from "@/lib/authz/policy";
import type { Tx } from "@/lib/db";
import { isUniqueViolation } from "@/lib/db/errors";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import {
  ZAddTeamMemberInput,
  ZChangeTeamRoleInput,
  ZCreateTeamInput,
  ZDeleteTeamInput,
  ZRemoveTeamMemberInput,
  ZRenameTeamInput,
  ZSetTeamMemberInput,
} from "./schemas";

const TEAM_SELECT = {
  id: true,
  slug: true,
  name: true,
  createdAt: true,
  _count: {
    select: { memberships: true, projects: true, serviceAccounts: { where: { deletedAt: null } } },
  },
} as const;

/**
 * The teams a principal manages: every team of the org for org admins and org-scoped ADMIN
 * accounts; only its own team for a team-scoped ADMIN account.
 */
export async function listTeams(principal: Principal, orgSlug?: string) {
  let where: { orgId: string; id?: string };
  if (isServiceAccountPrincipal(principal) && principal.serviceAccount.scope === "TEAM") {
    const account = principal.serviceAccount;
    if (account.role !== "ADMIN")
      throw new AppError("FORBIDDEN", "Only ADMIN service accounts use the management API.");
    where = { orgId: account.orgId, id: account.team.id };
  } else {
    const { org } = await authorizeOrgFor(principal, orgSlug, "org.view_dashboard");
    where = { orgId: org.id };
  }
  const teams = await db.team.findMany({
    where,
    orderBy: { slug: "asc" },
    select: TEAM_SELECT,
  });
  return teams.map(teamRecord);
}

function teamRecord(t: {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
  _count: { memberships: number; projects: number; serviceAccounts: number };
}) {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    createdAt: t.createdAt,
    members: t._count.memberships,
    projects: t._count.projects,
    serviceAccounts: t._count.serviceAccounts,
  };
}

/** One team with its counts, for whoever may view it (another org's or team's: NOT_FOUND). */
export async function getTeam(principal: Principal, teamSlug: string) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.view");
  return teamRecord(await db.team.findUniqueOrThrow({ where: { id: team.id }, select: TEAM_SELECT }));
}

/**
 * The team a rename or delete is about, by id (the console) or slug (the API), inside the
 * principal's org: org admins and org-scoped ADMIN accounts reach every team; a team-scoped ADMIN
 * account only its own, which it may rename but never delete (rule 17 extended).
 */
async function loadManagedTeam(
  tx: Tx,
  principal: Principal,
  personOrgId: string | null,
  ref: { teamId: string } | { team: string },
  change: "rename" | "delete",
) {
  const byRef = "teamId" in ref ? { id: ref.teamId } : { slug: ref.team };
  const select = {
    id: true,
    slug: true,
    name: true,
    orgId: true,
    _count: { select: { projects: true, serviceAccounts: { where: { deletedAt: null } } } },
  } as const;
  if (isServiceAccountPrincipal(principal)) {
    const account = principal.serviceAccount;
    const team = await tx.team.findFirst({ where: { orgId: account.orgId, ...byRef }, select });
    const decision = team ? decideTeamOperation(account, team, "team.manage_projects") : "not_found";
    if (!team || decision === "not_found")
      throw new AppError("NOT_FOUND", "That team was not found in this organization.");
    if (
      decision === "forbidden" ||
      (change === "delete" && decideOrgOperation(account, "org.manage_teams") !== "allowed")
    ) {
      throw new AppError(
        "FORBIDDEN",
        change === "delete"
          ? "Only org-scoped ADMIN service accounts create or delete teams."
          : "Only ADMIN service accounts manage teams.",
      );
    }
    return team;
  }
  const team = await tx.team.findFirst({ where: { orgId: personOrgId ?? "", ...byRef }, select });
  if (!team) throw new AppError("NOT_FOUND", "That team was not found in this organization.");
  return team;
}

/** A person's org for team changes (org admins only), checked before any input is read. */
async function personTeamsOrg(principal: Principal, orgSlug: string | undefined): Promise<string | null> {
  if (isServiceAccountPrincipal(principal)) return null;
  return (await authorizeOrg(principal, orgSlug ?? "", "org.manage_teams")).org.id;
}

export async function createTeam(principal: Principal, orgSlug: string | undefined, input: unknown) {
  const { org } = await authorizeOrgFor(principal, orgSlug, "org.manage_teams");
  const data = parseInput(ZCreateTeamInput, input);
  return db.$transaction(async (tx) => {
    // Slugs are unique across the instance: they are the first URL segment.
    if (await tx.team.findUnique({ where: { slug: data.slug }, select: { id: true } })) {
      throw new AppError("CONFLICT", `The team name "${data.slug}" is taken. Choose another.`, {
        slug: "Already taken.",
      });
    }
    const team = await tx.team.create({ data: { orgId: org.id, slug: data.slug, name: data.name } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(principal),
      action: "team.created",
      target: { type: "team", id: team.id, name: team.slug },
      metadata: { name: team.name },
    });
    return { slug: team.slug };
  });
}

/** Changes a team's display name. The slug stays: it is in every URL and API call. */
export async function renameTeam(principal: Principal, orgSlug: string | undefined, input: unknown) {
  const orgId = await personTeamsOrg(principal, orgSlug);
  const data = parseInput(ZRenameTeamInput, input);
  await db.$transaction(async (tx) => {
    const team = await loadManagedTeam(tx, principal, orgId, data, "rename");
    if (team.name === data.name) return;
    await tx.team.update({ where: { id: team.id, orgId: team.orgId }, data: { name: data.name } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
      action: "team.renamed",
      target: { type: "team", id: team.id, name: team.slug },
      metadata: { from: team.name, to: data.name },
    });
  });
}

/** Deletes a team that holds no projects and no live service accounts. */
export async function deleteTeam(principal: Principal, orgSlug: string | undefined, input: unknown) {
  const orgId = await personTeamsOrg(principal, orgSlug);
  const data = parseInput(ZDeleteTeamInput, input);
  await db.$transaction(async (tx) => {
    const team = await loadManagedTeam(tx, principal, orgId, data, "delete");
    if (team._count.projects > 0 || team._count.serviceAccounts > 0) {
      throw new AppError(
        "CONFLICT",
        `Team "${team.slug}" still has ${team._count.projects} project(s) and ${team._count.serviceAccounts} service account(s). Move or delete them first.`,
      );
    }
    await tx.team.delete({ where: { id: team.id, orgId: team.orgId } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
      action: "team.deleted",
      target: { type: "team", id: team.id, name: team.slug },
    });
  });
}

/** The team header: who may do what here, for pages to show or hide controls (console only). */
export async function getTeamContext(person: PersonPrincipal, teamSlug: string) {
  const { team, actor } = await authorizeTeam(person, teamSlug, "team.view");
  return {
    team,
    actor,
    canManageMembers: canInTeam(actor, team, "team.manage_members"),
    canManageProjects: canInTeam(actor, team, "team.manage_projects"),
    canCreateProject: canInTeam(actor, team, "team.create_project"),
    isOrgAdmin: actor.orgRole === "ADMIN",
  };
}

export async function listTeamMembers(principal: Principal, teamSlug: string) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.view");
  const members = await db.teamMembership.findMany({
    where: { teamId: team.id },
    orderBy: { user: { email: "asc" } },
    select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
  });
  return members.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role }));
}

/** Org members not yet in the team: the people a team admin may add (console only). */
export async function listAddableTeamMembers(person: PersonPrincipal, teamSlug: string) {
  const { team } = await authorizeTeam(person, teamSlug, "team.manage_members");
  const rows = await db.orgMembership.findMany({
    where: { orgId: team.orgId, user: { teamMemberships: { none: { teamId: team.id } } } },
    orderBy: { user: { email: "asc" } },
    select: { user: { select: { email: true, name: true } } },
  });
  return rows.map((r) => r.user);
}

type ManagedTeam = { id: string; slug: string; orgId: string; org: { name: string } };

/** The org member of this email, or INVALID: only people already in the org join its teams. */
async function findOrgPerson(tx: Tx, team: ManagedTeam, email: string) {
  const membership = await tx.orgMembership.findFirst({
    where: { orgId: team.orgId, user: { email } },
    select: { userId: true },
  });
  if (!membership) {
    throw new AppError(
      "INVALID",
      `${email} is not a member of ${team.org.name}. An org admin must add them to the organization first.`,
      { email: "Not a member of the organization." },
    );
  }
  return membership.userId;
}

async function insertTeamMember(
  tx: Tx,
  principal: Principal,
  team: ManagedTeam,
  member: { userId: string; email: string; role: "ADMIN" | "MEMBER" | "VIEWER" },
) {
  await tx.teamMembership.create({ data: { teamId: team.id, userId: member.userId, role: member.role } });
  await recordAudit(tx, {
    orgId: team.orgId,
    ...auditSourceOf(principal),
    action: "team.member_added",
    target: { type: "user", id: member.userId, name: member.email },
    metadata: { team: team.slug, role: member.role },
  });
}

export async function addTeamMember(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_members");
  const data = parseInput(ZAddTeamMemberInput, input);
  await db.$transaction(async (tx) => {
    const userId = await findOrgPerson(tx, team, data.email);
    const existing = await tx.teamMembership.findUnique({
      where: { teamId_userId: { teamId: team.id, userId } },
    });
    if (existing) {
      throw new AppError("CONFLICT", `${data.email} is already in ${team.slug}.`, {
        email: "Already in the team.",
      });
    }
    await insertTeamMember(tx, principal, team, { userId, email: data.email, role: data.role });
  });
}

/** A membership of this team, by user id (the console) or email (the API), or NOT_FOUND. */
async function findMembership(tx: Tx, teamId: string, ref: { userId: string } | { email: string }) {
  const membership = await tx.teamMembership.findFirst({
    where: { teamId, ...("userId" in ref ? { userId: ref.userId } : { user: { email: ref.email } }) },
    select: { id: true, role: true, userId: true, user: { select: { email: true } } },
  });
  if (!membership) throw new AppError("NOT_FOUND", "That person is not in this team.");
  return membership;
}

async function updateMemberRole(
  tx: Tx,
  principal: Principal,
  team: ManagedTeam,
  membership: { id: string; role: string; userId: string; user: { email: string } },
  role: "ADMIN" | "MEMBER" | "VIEWER",
) {
  if (membership.role === role) return;
  await tx.teamMembership.update({ where: { id: membership.id, teamId: team.id }, data: { role } });
  await recordAudit(tx, {
    orgId: team.orgId,
    ...auditSourceOf(principal),
    action: "team.member_role_changed",
    target: { type: "user", id: membership.userId, name: membership.user.email },
    metadata: { team: team.slug, from: membership.role, to: role },
  });
}

export async function changeTeamMemberRole(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_members");
  const data = parseInput(ZChangeTeamRoleInput, input);
  await db.$transaction(async (tx) =>
    updateMemberRole(tx, principal, team, await findMembership(tx, team.id, data), data.role),
  );
}

/**
 * Adds a person of the org to the team with a role, or changes their role when they are in it
 * (the API's PUT). Answers whether they were added.
 */
export async function setTeamMember(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_members");
  const data = parseInput(ZSetTeamMemberInput, input);
  const attempt = () =>
    db.$transaction(async (tx) => {
      const userId = await findOrgPerson(tx, team, data.email);
      const existing = await tx.teamMembership.findUnique({
        where: { teamId_userId: { teamId: team.id, userId } },
        select: { id: true, role: true, userId: true, user: { select: { email: true } } },
      });
      if (existing) {
        if (data.role) await updateMemberRole(tx, principal, team, existing, data.role);
      } else {
        await insertTeamMember(tx, principal, team, {
          userId,
          email: data.email,
          role: data.role ?? "MEMBER",
        });
      }
      return { created: !existing };
    });
  try {
    return await attempt();
  } catch (error) {
    // Two PUTs adding the same person at once: the loser finds the winner's row on a second try
    // and sets the role, as PUT promises, instead of answering a conflict.
    if (!isUniqueViolation(error)) throw error;
    return attempt();
  }
}

export async function removeTeamMember(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_members");
  const data = parseInput(ZRemoveTeamMemberInput, input);
  await db.$transaction(async (tx) => {
    const membership = await findMembership(tx, team.id, data);
    await tx.teamMembership.delete({ where: { id: membership.id, teamId: team.id } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
      action: "team.member_removed",
      target: { type: "user", id: membership.userId, name: membership.user.email },
      metadata: { team: team.slug, role: membership.role },
    });
  });
}

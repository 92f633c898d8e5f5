import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type Caller } from "@/lib/auth/caller";
import { authorizeOrg, authorizeTeam } from "@/lib/authz/guard";
import { canInTeam } from "@/lib/authz/policy";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import {
  ZAddTeamMemberInput,
  ZChangeTeamRoleInput,
  ZCreateTeamInput,
  ZDeleteTeamInput,
  ZRemoveTeamMemberInput,
  ZRenameTeamInput,
} from "./schemas";

export async function listTeams(caller: Caller, orgSlug: string) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.view_dashboard");
  const teams = await db.team.findMany({
    where: { orgId: org.id },
    orderBy: { slug: "asc" },
    select: {
      id: true,
      slug: true,
      name: true,
      createdAt: true,
      _count: {
        select: { memberships: true, projects: true, serviceAccounts: { where: { deletedAt: null } } },
      },
    },
  });
  return teams.map((t) => ({
    id: t.id,
    slug: t.slug,
    name: t.name,
    createdAt: t.createdAt,
    members: t._count.memberships,
    projects: t._count.projects,
    serviceAccounts: t._count.serviceAccounts,
  }));
}

export async function createTeam(caller: Caller, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_teams");
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
      ...auditSourceOf(caller),
      action: "team.created",
      target: { type: "team", id: team.id, name: team.slug },
      metadata: { name: team.name },
    });
    return { slug: team.slug };
  });
}

/** Changes a team's display name. The slug stays: it is in every URL and API call. */
export async function renameTeam(caller: Caller, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_teams");
  const data = parseInput(ZRenameTeamInput, input);
  await db.$transaction(async (tx) => {
    const team = await tx.team.findFirst({
      where: { id: data.teamId, orgId: org.id },
      select: { id: true, slug: true, name: true },
    });
    if (!team) throw new AppError("NOT_FOUND", "That team was not found in this organization.");
    if (team.name === data.name) return;
    await tx.team.update({ where: { id: team.id, orgId: org.id }, data: { name: data.name } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "team.renamed",
      target: { type: "team", id: team.id, name: team.slug },
      metadata: { from: team.name, to: data.name },
    });
  });
}

/** Deletes a team that holds no projects and no live service accounts. */
export async function deleteTeam(caller: Caller, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.manage_teams");
  const data = parseInput(ZDeleteTeamInput, input);
  await db.$transaction(async (tx) => {
    const team = await tx.team.findFirst({
      where: { id: data.teamId, orgId: org.id },
      select: {
        id: true,
        slug: true,
        _count: { select: { projects: true, serviceAccounts: { where: { deletedAt: null } } } },
      },
    });
    if (!team) throw new AppError("NOT_FOUND", "That team was not found in this organization.");
    if (team._count.projects > 0 || team._count.serviceAccounts > 0) {
      throw new AppError(
        "CONFLICT",
        `Team "${team.slug}" still has ${team._count.projects} project(s) and ${team._count.serviceAccounts} service account(s). Move or delete them first.`,
      );
    }
    await tx.team.delete({ where: { id: team.id, orgId: org.id } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "team.deleted",
      target: { type: "team", id: team.id, name: team.slug },
    });
  });
}

/** The team header: who may do what here, for pages to show or hide controls. */
export async function getTeamContext(caller: Caller, teamSlug: string) {
  const { team, actor } = await authorizeTeam(caller.user.id, teamSlug, "team.view");
  return {
    team,
    actor,
    canManageMembers: canInTeam(actor, team, "team.manage_members"),
    canManageProjects: canInTeam(actor, team, "team.manage_projects"),
    canCreateProject: canInTeam(actor, team, "team.create_project"),
    isOrgAdmin: actor.orgRole === "ADMIN",
  };
}

export async function listTeamMembers(caller: Caller, teamSlug: string) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.view");
  const members = await db.teamMembership.findMany({
    where: { teamId: team.id },
    orderBy: { user: { email: "asc" } },
    select: { role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
  });
  return members.map((m) => ({ userId: m.user.id, email: m.user.email, name: m.user.name, role: m.role }));
}

/** Org members not yet in the team: the people a team admin may add. */
export async function listAddableTeamMembers(caller: Caller, teamSlug: string) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.manage_members");
  const rows = await db.orgMembership.findMany({
    where: { orgId: team.orgId, user: { teamMemberships: { none: { teamId: team.id } } } },
    orderBy: { user: { email: "asc" } },
    select: { user: { select: { email: true, name: true } } },
  });
  return rows.map((r) => r.user);
}

export async function addTeamMember(caller: Caller, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.manage_members");
  const data = parseInput(ZAddTeamMemberInput, input);
  await db.$transaction(async (tx) => {
    const membership = await tx.orgMembership.findFirst({
      where: { orgId: team.orgId, user: { email: data.email } },
      select: { userId: true },
    });
    if (!membership) {
      throw new AppError(
        "INVALID",
        `${data.email} is not a member of ${team.org.name}. An org admin must add them to the organization first.`,
        { email: "Not a member of the organization." },
      );
    }
    const existing = await tx.teamMembership.findUnique({
      where: { teamId_userId: { teamId: team.id, userId: membership.userId } },
    });
    if (existing) {
      throw new AppError("CONFLICT", `${data.email} is already in ${team.slug}.`, {
        email: "Already in the team.",
      });
    }
    await tx.teamMembership.create({ data: { teamId: team.id, userId: membership.userId, role: data.role } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "team.member_added",
      target: { type: "user", id: membership.userId, name: data.email },
      metadata: { team: team.slug, role: data.role },
    });
  });
}

export async function changeTeamMemberRole(caller: Caller, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.manage_members");
  const data = parseInput(ZChangeTeamRoleInput, input);
  await db.$transaction(async (tx) => {
    const membership = await tx.teamMembership.findUnique({
      where: { teamId_userId: { teamId: team.id, userId: data.userId } },
      select: { id: true, role: true, user: { select: { email: true } } },
    });
    if (!membership) throw new AppError("NOT_FOUND", "That person is not in this team.");
    if (membership.role === data.role) return;
    await tx.teamMembership.update({
      where: { id: membership.id, teamId: team.id },
      data: { role: data.role },
    });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "team.member_role_changed",
      target: { type: "user", id: data.userId, name: membership.user.email },
      metadata: { team: team.slug, from: membership.role, to: data.role },
    });
  });
}

export async function removeTeamMember(caller: Caller, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.manage_members");
  const data = parseInput(ZRemoveTeamMemberInput, input);
  await db.$transaction(async (tx) => {
    const membership = await tx.teamMembership.findUnique({
      where: { teamId_userId: { teamId: team.id, userId: data.userId } },
      select: { id: true, role: true, user: { select: { email: true } } },
    });
    if (!membership) throw new AppError("NOT_FOUND", "That person is not in this team.");
    await tx.teamMembership.delete({ where: { id: membership.id, teamId: team.id } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "team.member_removed",
      target: { type: "user", id: data.userId, name: membership.user.email },
      metadata: { team: team.slug, role: membership.role },
    });
  });
}

import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type Caller } from "@/lib/auth/caller";
import { authorizeTeam } from "@/lib/authz/guard";
import { findTeamBySlug, loadOrgActor } from "@/lib/authz/data";
import { canInTeam, canSeeProject } from "@/lib/authz/policy";
import { isGrantEligible } from "@/lib/api/policy";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import {
  ZChangeVisibilityInput,
  ZCreateProjectInput,
  ZGrantProjectAccessInput,
  ZRevokeProjectAccessInput,
} from "./schemas";

/**
 * Everything the Projects tab renders. It holds no grant candidates: a team may have thousands of
 * service accounts, so the access pickers search for them on demand (see grant-candidates.ts).
 */
export async function getProjectsPage(caller: Caller, teamSlug: string) {
  const { team, actor } = await authorizeTeam(caller.user.id, teamSlug, "team.view");
  const projects = await listProjects(caller, teamSlug);
  return {
    teamSlug: team.slug,
    projects,
    canCreate: canInTeam(actor, team, "team.create_project"),
    canManage: canInTeam(actor, team, "team.manage_projects"),
  };
}

/** The team's projects the caller may see, with the access list of restricted ones. */
export async function listProjects(caller: Caller, teamSlug: string) {
  const { team, actor } = await authorizeTeam(caller.user.id, teamSlug, "team.view");
  const projects = await db.project.findMany({
    where: { teamId: team.id },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      visibility: true,
      description: true,
      createdAt: true,
      _count: { select: { runs: true } },
      access: {
        orderBy: { createdAt: "asc" },
        select: {
          id: true,
          user: { select: { id: true, email: true } },
          serviceAccount: { select: { id: true, name: true, deletedAt: true } },
        },
      },
    },
  });
  return projects
    .filter((p) =>
      canSeeProject(actor, {
        visibility: p.visibility,
        team,
        isGranted: p.access.some((a) => a.user?.id === caller.user.id),
      }),
    )
    .map((p) => ({
      id: p.id,
      name: p.name,
      visibility: p.visibility,
      description: p.description,
      createdAt: p.createdAt,
      runs: p._count.runs,
      access: p.access
        .filter((a) => !a.serviceAccount?.deletedAt)
        .map((a) => ({
          id: a.id,
          kind: a.user ? ("user" as const) : ("service_account" as const),
          label: a.user?.email ?? a.serviceAccount?.name ?? "",
        })),
    }));
}

export async function createProject(caller: Caller, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.create_project");
  const data = parseInput(ZCreateProjectInput, input);
  return db.$transaction(async (tx) => {
    const taken = await tx.project.findUnique({
      where: { teamId_name: { teamId: team.id, name: data.name } },
      select: { id: true },
    });
    if (taken) {
      throw new AppError("CONFLICT", `${team.slug} already has a project named "${data.name}".`, {
        name: "Already taken in this team.",
      });
    }
    const project = await tx.project.create({ data: { teamId: team.id, ...data } });
    // Whoever creates a restricted project keeps access to it.
    if (data.visibility === "RESTRICTED") {
      await tx.projectAccess.create({
        data: { projectId: project.id, userId: caller.user.id, grantedById: caller.user.id },
      });
    }
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "project.created",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: { visibility: project.visibility },
    });
    return { id: project.id, name: project.name };
  });
}

/** A project of this team by id, or NOT_FOUND: the tenant is in the query, never trusted from input. */
export async function findTeamProject(tx: Tx, teamId: string, projectId: string) {
  const project = await tx.project.findFirst({
    where: { id: projectId, teamId },
    select: { id: true, name: true, visibility: true },
  });
  if (!project) throw new AppError("NOT_FOUND", "That project was not found in this team.");
  return project;
}

export async function changeProjectVisibility(caller: Caller, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.manage_projects");
  const data = parseInput(ZChangeVisibilityInput, input);
  await db.$transaction(async (tx) => {
    const project = await findTeamProject(tx, team.id, data.projectId);
    if (project.visibility === data.visibility) return;
    await tx.project.update({
      where: { id: project.id, teamId: team.id },
      data: { visibility: data.visibility },
    });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "project.visibility_changed",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: { from: project.visibility, to: data.visibility },
    });
  });
}

/** Grants a member of the org, or an eligible service account, access to a restricted project. */
export async function grantProjectAccess(caller: Caller, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.manage_projects");
  const data = parseInput(ZGrantProjectAccessInput, input);
  await db.$transaction(async (tx) => {
    const project = await findTeamProject(tx, team.id, data.projectId);
    if (project.visibility !== "RESTRICTED") {
      throw new AppError(
        "INVALID",
        "Access lists apply to restricted projects. Make the project Restricted first.",
      );
    }
    const principal =
      "email" in data
        ? await findGrantableUser(tx, team, data.email)
        : await findGrantableAccount(tx, team, data.serviceAccount);
    const existing = await tx.projectAccess.findFirst({
      where: {
        projectId: project.id,
        ...(principal.kind === "user" ? { userId: principal.id } : { serviceAccountId: principal.id }),
      },
      select: { id: true },
    });
    if (existing) throw new AppError("CONFLICT", `${principal.label} already has access.`);
    await tx.projectAccess.create({
      data: {
        projectId: project.id,
        grantedById: caller.user.id,
        ...(principal.kind === "user" ? { userId: principal.id } : { serviceAccountId: principal.id }),
      },
    });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "project.access_granted",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: { principalType: principal.kind, principal: principal.label },
    });
  });
}

type GrantTeam = { id: string; orgId: string; org: { slug: string; name: string } };

async function findGrantableUser(tx: Tx, team: GrantTeam, email: string) {
  const member = await tx.orgMembership.findFirst({
    where: { orgId: team.orgId, user: { email } },
    select: { userId: true },
  });
  if (!member) {
    throw new AppError("INVALID", `${email} is not a member of ${team.org.name}.`, {
      email: "Not a member of the organization.",
    });
  }
  return { kind: "user" as const, id: member.userId, label: email };
}

/** Org-scoped accounts of the org, or accounts of the project's own team (rule 4: no others). */
async function findGrantableAccount(tx: Tx, team: GrantTeam, name: string) {
  const account = await tx.serviceAccount.findFirst({
    where: { orgId: team.orgId, name, deletedAt: null },
    select: { id: true, name: true, scope: true, teamId: true, orgId: true },
  });
  if (!account)
    throw new AppError("NOT_FOUND", `Service account "${name}" was not found in ${team.org.name}.`);
  if (!isGrantEligible(account, { orgId: team.orgId, teamId: team.id })) {
    throw new AppError(
      "INVALID",
      `${name} belongs to another team: a team-scoped account can never use another team's restricted project. Use an org-scoped account or one of this team's.`,
    );
  }
  return {
    kind: "service_account" as const,
    id: account.id,
    label: serviceAccountIdentity(account.name, team.org.slug),
  };
}

export async function revokeProjectAccess(caller: Caller, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller.user.id, teamSlug, "team.manage_projects");
  const data = parseInput(ZRevokeProjectAccessInput, input);
  await db.$transaction(async (tx) => {
    const project = await findTeamProject(tx, team.id, data.projectId);
    const access = await tx.projectAccess.findFirst({
      where: { id: data.accessId, projectId: project.id },
      select: { id: true, user: { select: { email: true } }, serviceAccount: { select: { name: true } } },
    });
    if (!access) throw new AppError("NOT_FOUND", "That grant was not found on this project.");
    await tx.projectAccess.delete({ where: { id: access.id, projectId: project.id } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "project.access_removed",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: {
        principalType: access.user ? "user" : "service_account",
        principal:
          access.user?.email ??
          (access.serviceAccount ? serviceAccountIdentity(access.serviceAccount.name, team.org.slug) : null),
      },
    });
  });
}

/** A project and its latest runs, for anyone who may see the project in the console. */
export async function getProjectRuns(caller: Caller, teamSlug: string, projectName: string) {
  const team = await findTeamBySlug(teamSlug);
  const actor = await loadOrgActor(caller.user.id, team.orgId);
  const project = await db.project.findUnique({
    where: { teamId_name: { teamId: team.id, name: projectName } },
    select: {
      id: true,
      name: true,
      visibility: true,
      description: true,
      access: { where: { userId: caller.user.id }, select: { id: true } },
    },
  });
  const visible =
    project &&
    canSeeProject(actor, { visibility: project.visibility, team, isGranted: project.access.length > 0 });
  if (!visible) {
    if (actor.orgRole === null) throw new AppError("FORBIDDEN", "You are not a member of this organization.");
    throw new AppError("NOT_FOUND", "Project not found.");
  }
  const runs = await db.run.findMany({
    where: { projectId: project.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 50,
    select: {
      id: true,
      name: true,
      createdAt: true,
      createdByType: true,
      createdByIdentity: true,
      attributedTo: { select: { email: true } },
    },
  });
  return {
    team: { slug: team.slug, name: team.name, orgName: team.org.name },
    project: { name: project.name, visibility: project.visibility, description: project.description },
    runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: r.createdAt,
      createdBy: r.createdByIdentity,
      isAutomated: r.createdByType === "SERVICE_ACCOUNT",
      attributedTo: r.attributedTo?.email ?? null,
    })),
  };
}

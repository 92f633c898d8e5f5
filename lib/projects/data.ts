import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import {
  auditSourceOf,
  isServiceAccountPrincipal,
  type PersonPrincipal,
  type Principal,
  type ServiceAccountPrincipal,
} from "@/lib/core/principal";
import { authorizeTeam, authorizeTeamFor } from "@/lib/authz/guard";
import { findTeamBySlug, loadOrgActor } from "@/lib/authz/data";
import { canInTeam, canSeeProject } from "@/lib/authz/policy";
import { decideProjectAccess, isGrantEligible } from "@/lib/authz/project-access";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import {
  ZChangeVisibilityInput,
  ZCreateProjectInput,
  ZDeleteProjectInput,
  ZGrantProjectAccessInput,
  ZRevokeProjectAccessInput,
  ZUpdateProjectInput,
} from "./schemas";

/**
 * Everything the Projects tab renders. It holds no grant candidates: a team may have thousands of
 * service accounts, so the access pickers search for them on demand (see grant-candidates.ts).
 */
export async function getProjectsPage(person: PersonPrincipal, teamSlug: string) {
  const { team, actor } = await authorizeTeam(person, teamSlug, "team.view");
  const projects = await listProjects(person, teamSlug);
  return {
    teamSlug: team.slug,
    projects,
    canCreate: canInTeam(actor, team, "team.create_project"),
    canManage: canInTeam(actor, team, "team.manage_projects"),
  };
}

/**
 * The team's projects (or only the one named `onlyName`) the principal may see, with the access list
 * of restricted ones: for a person, what the console shows them; for a service account, what rules
 * 3–6 let it read.
 */
export async function listProjects(principal: Principal, teamSlug: string, onlyName?: string) {
  if (isServiceAccountPrincipal(principal)) return listProjectsForAccount(principal, teamSlug, onlyName);
  const caller = principal;
  const { team, actor } = await authorizeTeam(caller, teamSlug, "team.view");
  const projects = await db.project.findMany({
    where: { teamId: team.id, ...(onlyName !== undefined ? { name: onlyName } : {}) },
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

export async function createProject(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.create_project");
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
        data: isServiceAccountPrincipal(principal)
          ? { projectId: project.id, serviceAccountId: principal.serviceAccount.id }
          : { projectId: project.id, userId: principal.user.id, grantedById: principal.user.id },
      });
    }
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
      action: "project.created",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: { visibility: project.visibility },
    });
    return { id: project.id, name: project.name };
  });
}

/**
 * A project of this team by id (the console) or name (the API), or NOT_FOUND: the tenant is in
 * the query, never trusted from input.
 */
export async function findTeamProject(
  tx: Tx,
  teamId: string,
  ref: { projectId: string } | { project: string },
) {
  const project = await tx.project.findFirst({
    where: { teamId, ...("projectId" in ref ? { id: ref.projectId } : { name: ref.project }) },
    select: { id: true, name: true, visibility: true, description: true },
  });
  if (!project) throw new AppError("NOT_FOUND", "That project was not found in this team.");
  return project;
}

export async function changeProjectVisibility(principal: Principal, teamSlug: string, input: unknown) {
  return updateProject(principal, teamSlug, parseInput(ZChangeVisibilityInput, input));
}

/** Changes a project's visibility and/or description, each change audited. */
export async function updateProject(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_projects");
  const data = parseInput(ZUpdateProjectInput, input);
  return db.$transaction(async (tx) => {
    const project = await findTeamProject(tx, team.id, data);
    const target = { type: "project", id: project.id, name: `${team.slug}/${project.name}` };
    if (data.visibility !== undefined && project.visibility !== data.visibility) {
      await tx.project.update({
        where: { id: project.id, teamId: team.id },
        data: { visibility: data.visibility },
      });
      await recordAudit(tx, {
        orgId: team.orgId,
        ...auditSourceOf(principal),
        action: "project.visibility_changed",
        target,
        metadata: { from: project.visibility, to: data.visibility },
      });
    }
    if (data.description !== undefined && project.description !== data.description) {
      await tx.project.update({
        where: { id: project.id, teamId: team.id },
        data: { description: data.description },
      });
      await recordAudit(tx, {
        orgId: team.orgId,
        ...auditSourceOf(principal),
        action: "project.updated",
        target,
        metadata: { description: data.description },
      });
    }
    return { id: project.id };
  });
}

/** Deletes a project that holds no runs (runs are data: they are never deleted by a script). */
export async function deleteProject(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_projects");
  const data = parseInput(ZDeleteProjectInput, input);
  await db.$transaction(async (tx) => {
    const project = await findTeamProject(tx, team.id, data);
    const runs = await tx.run.count({ where: { projectId: project.id } });
    if (runs > 0) {
      throw new AppError(
        "CONFLICT",
        `${team.slug}/${project.name} holds ${runs} run(s); a project with runs is not deleted. Make it Restricted instead.`,
      );
    }
    await tx.project.delete({ where: { id: project.id, teamId: team.id } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
      action: "project.deleted",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: { visibility: project.visibility },
    });
  });
}

/** Grants a member of the org, or an eligible service account, access to a restricted project. */
export async function grantProjectAccess(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_projects");
  const data = parseInput(ZGrantProjectAccessInput, input);
  return db.$transaction(async (tx) => {
    const project = await findTeamProject(tx, team.id, data);
    if (project.visibility !== "RESTRICTED") {
      throw new AppError(
        "INVALID",
        "Access lists apply to restricted projects. Make the project Restricted first.",
      );
    }
    const grantee =
      "email" in data
        ? await findGrantableUser(tx, team, data.email)
        : await findGrantableAccount(tx, team, data.serviceAccount);
    const existing = await tx.projectAccess.findFirst({
      where: {
        projectId: project.id,
        ...(grantee.kind === "user" ? { userId: grantee.id } : { serviceAccountId: grantee.id }),
      },
      select: { id: true },
    });
    if (existing) throw new AppError("CONFLICT", `${grantee.label} already has access.`);
    const grant = await tx.projectAccess.create({
      data: {
        projectId: project.id,
        grantedById: isServiceAccountPrincipal(principal) ? null : principal.user.id,
        ...(grantee.kind === "user" ? { userId: grantee.id } : { serviceAccountId: grantee.id }),
      },
      select: { id: true, createdAt: true },
    });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
      action: "project.access_granted",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: { principalType: grantee.kind, principal: grantee.label },
    });
    return { id: grant.id, type: grantee.kind, identity: grantee.label, grantedAt: grant.createdAt };
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

export async function revokeProjectAccess(principal: Principal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_projects");
  const data = parseInput(ZRevokeProjectAccessInput, input);
  await db.$transaction(async (tx) => {
    const project = await findTeamProject(tx, team.id, data);
    const whom =
      "accessId" in data
        ? { id: data.accessId }
        : "email" in data
          ? { user: { email: data.email } }
          : { serviceAccount: { name: data.serviceAccount, deletedAt: null } };
    const access = await tx.projectAccess.findFirst({
      where: { ...whom, projectId: project.id },
      select: { id: true, user: { select: { email: true } }, serviceAccount: { select: { name: true } } },
    });
    if (!access) throw new AppError("NOT_FOUND", "That grant was not found on this project.");
    await tx.projectAccess.delete({ where: { id: access.id, projectId: project.id } });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(principal),
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
export async function getProjectRuns(caller: PersonPrincipal, teamSlug: string, projectName: string) {
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

const PROJECT_SELECT = {
  id: true,
  name: true,
  visibility: true,
  description: true,
  createdAt: true,
} as const;

/** What rules 3–6 let an account read of a team's projects (another org's team: NOT_FOUND). */
async function listProjectsForAccount(
  principal: ServiceAccountPrincipal,
  teamSlug: string,
  onlyName?: string,
) {
  const account = principal.serviceAccount;
  const team = await findTeamBySlug(teamSlug).catch(() => null);
  if (!team || team.orgId !== account.orgId)
    throw new AppError("NOT_FOUND", `Team "${teamSlug}" was not found.`);
  const projects = await db.project.findMany({
    where: { teamId: team.id, ...(onlyName !== undefined ? { name: onlyName } : {}) },
    orderBy: { name: "asc" },
    select: {
      ...PROJECT_SELECT,
      _count: { select: { runs: true } },
      access: { where: { serviceAccountId: account.id }, select: { id: true } },
    },
  });
  return projects
    .filter(
      (p) =>
        decideProjectAccess(
          { orgId: account.orgId, scope: account.scope, teamId: account.team.id, role: account.role },
          { orgId: team.orgId, teamId: team.id, visibility: p.visibility, isGranted: p.access.length > 0 },
          "read",
        ).allowed,
    )
    .map((p) => ({
      id: p.id,
      name: p.name,
      visibility: p.visibility,
      description: p.description,
      createdAt: p.createdAt,
      runs: p._count.runs,
      access: [] as { id: string; kind: "user" | "service_account"; label: string }[],
    }));
}

/**
 * One project, for whoever may read it: a person who sees it in the console, or an account that
 * rules 3–6 let read it. Anything else is NOT_FOUND, so a name reveals nothing.
 */
export async function getProject(principal: Principal, teamSlug: string, name: string) {
  // The same visibility rules as the list, read for this one name only.
  const [project] = await listProjects(principal, teamSlug, name);
  if (!project) throw new AppError("NOT_FOUND", "Project not found.");
  return { ...project, team: teamSlug };
}

/** The explicit grants of a restricted project, for those who manage the team's projects. */
export async function listProjectAccess(principal: Principal, teamSlug: string, projectName: string) {
  const { team } = await authorizeTeamFor(principal, teamSlug, "team.manage_projects");
  const project = await findTeamProject(db, team.id, { project: projectName });
  const grants = await db.projectAccess.findMany({
    where: {
      projectId: project.id,
      OR: [{ userId: { not: null } }, { serviceAccount: { deletedAt: null } }],
    },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      createdAt: true,
      user: { select: { email: true } },
      serviceAccount: { select: { name: true } },
    },
  });
  return {
    project: { team: team.slug, name: project.name, visibility: project.visibility },
    grants: grants.map((g) => ({
      id: g.id,
      type: g.user ? ("user" as const) : ("service_account" as const),
      identity: g.user?.email ?? serviceAccountIdentity(g.serviceAccount!.name, team.org.slug),
      grantedAt: g.createdAt,
    })),
  };
}

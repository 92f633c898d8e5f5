import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type Caller } from "@/lib/auth/caller";
import { authorizeTeam } from "@/lib/authz/guard";
import { canSeeProject } from "@/lib/authz/policy";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import {
  ZChangeVisibilityInput,
  ZCreateProjectInput,
  ZGrantProjectAccessInput,
  ZRevokeProjectAccessInput,
} from "./schemas";

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

async function findTeamProject(tx: Tx, teamId: string, projectId: string) {
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

/** Grants a member of the org access to a restricted project. */
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
    const member = await tx.orgMembership.findFirst({
      where: { orgId: team.orgId, user: { email: data.email } },
      select: { userId: true },
    });
    if (!member) {
      throw new AppError("INVALID", `${data.email} is not a member of ${team.org.name}.`, {
        email: "Not a member of the organization.",
      });
    }
    const existing = await tx.projectAccess.findUnique({
      where: { projectId_userId: { projectId: project.id, userId: member.userId } },
    });
    if (existing)
      throw new AppError("CONFLICT", `${data.email} already has access.`, { email: "Already granted." });
    await tx.projectAccess.create({
      data: { projectId: project.id, userId: member.userId, grantedById: caller.user.id },
    });
    await recordAudit(tx, {
      orgId: team.orgId,
      ...auditSourceOf(caller),
      action: "project.access_granted",
      target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
      metadata: { principalType: "user", principal: data.email },
    });
  });
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
        principal: access.user?.email ?? access.serviceAccount?.name ?? null,
      },
    });
  });
}

// Runs (SPEC §4): written and listed by service accounts, authorised by the project-access policy
// against the calling principal, audited under its identity.
import crypto from "node:crypto";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/validation/cursor";
import { db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit/record";
import { isUniqueViolation } from "@/lib/db/errors";
import { auditSourceOf, type ServiceAccountPrincipal } from "@/lib/core/principal";
import type { ProjectFacts } from "@/lib/authz/project-access";
import { AppError } from "@/lib/errors";
import {
  assertCredentialScope,
  assertMayCreateProject,
  assertProjectAccess,
  findProject,
  findTeam,
  projectSelect,
  readOnlyRefusal,
  withGrant,
} from "./access";
import { resolveAttribution } from "./attribution";
import type { TCreateRunInput } from "./schemas";

function runName(input: TCreateRunInput): string {
  return input.name ?? `run-${crypto.randomBytes(4).toString("hex")}`;
}

/** Writes the run itself: one INSERT, atomic on its own. */
async function insertRun(
  client: Tx,
  principal: ServiceAccountPrincipal,
  project: { id: string; name: string } & Omit<ProjectFacts, "orgId">,
  team: { id: string; slug: string },
  input: TCreateRunInput,
) {
  const account = principal.serviceAccount;
  assertProjectAccess(account, project, "write", `Project ${team.slug}/${input.project}`);
  const attribution = await resolveAttribution(client, account, team, input);
  const run = await client.run.create({
    data: {
      projectId: project.id,
      name: runName(input),
      config: (input.config ?? {}) as Prisma.InputJsonObject,
      summary: (input.summary ?? {}) as Prisma.InputJsonObject,
      createdByType: "SERVICE_ACCOUNT",
      createdById: account.id,
      createdByIdentity: account.identity,
      attributedToUserId: attribution.user?.id ?? null,
      workloadClaims: (principal.workloadClaims ?? {}) as Prisma.InputJsonObject,
    },
    select: { id: true, name: true },
  });
  principal.noteUse?.("write", `${team.slug}/${project.name}`);
  return {
    run: {
      id: run.id,
      entity: team.slug,
      project: project.name,
      name: run.name,
      createdBy: account.identity,
      attributedTo: attribution.user?.email ?? null,
    },
    warnings: attribution.warning ? [attribution.warning] : [],
  };
}

/**
 * Writes a run, creating the project in the account's own team if missing. When the project
 * exists the run is one INSERT (atomic by itself; the data layer guarantees it never lands inside
 * another request's transaction). When it must be created, the project, its `project.created`
 * audit event (the account is the actor) and the run commit together in one transaction or not at
 * all; on SQLite that transaction holds the write lock from its first statement (BEGIN
 * IMMEDIATE), so two requests cannot both create the project.
 */
export async function createRun(principal: ServiceAccountPrincipal, input: TCreateRunInput) {
  const account = principal.serviceAccount;
  const entity = input.entity ?? account.team.slug;
  assertCredentialScope(principal, entity, input.project, "write");
  const team = await findTeam(db, account, entity);
  const existing = await findProject(db, account, team.id, input.project);
  if (existing) return insertRun(db, principal, existing, team, input);
  if (team.id !== account.team.id) {
    throw new AppError(
      "NOT_FOUND",
      `Project "${input.project}" was not found in ${entity}. Projects are created automatically only in this account's own team (${account.team.slug}).`,
    );
  }
  // A Viewer may not create the project either, nor a key limited to projects.
  if (account.role === "VIEWER") throw readOnlyRefusal();
  assertMayCreateProject(principal, entity, input.project);

  try {
    return await createRunInNewProject(principal, team, input);
  } catch (error) {
    // PostgreSQL: a concurrent request created the project first; write into it.
    if (!isUniqueViolation(error)) throw error;
    const created = await findProject(db, account, team.id, input.project);
    if (!created) throw error;
    return insertRun(db, principal, created, team, input);
  }
}

/** The project, its audit event and the run, in one transaction. */
function createRunInNewProject(
  principal: ServiceAccountPrincipal,
  team: { id: string; slug: string },
  input: TCreateRunInput,
) {
  const account = principal.serviceAccount;
  return db.$transaction(async (tx) => {
    // Another request may have created it since we looked.
    let project = await findProject(tx, account, team.id, input.project);
    if (!project) {
      project = withGrant(
        await tx.project.create({
          data: { teamId: team.id, name: input.project, visibility: "TEAM" },
          select: projectSelect(account),
        }),
      );
      await recordAudit(tx, {
        orgId: account.orgId,
        ...auditSourceOf(principal),
        action: "project.created",
        target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
        metadata: { visibility: "TEAM", via: "api" },
      });
    }
    return insertRun(tx, principal, project, team, input);
  });
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const after = decodeTimeCursor(cursor);
  if (!after) throw new AppError("INVALID", "cursor is not valid: pass the nextCursor of a previous answer.");
  return after;
}

/** A project's runs, newest first, cursor-paginated. */
export async function listRuns(
  principal: ServiceAccountPrincipal,
  entity: string,
  projectName: string,
  page: { limit: number; cursor?: string },
) {
  const account = principal.serviceAccount;
  assertCredentialScope(principal, entity, projectName, "read");
  const team = await findTeam(db, account, entity);
  const project = await findProject(db, account, team.id, projectName);
  if (!project) throw new AppError("NOT_FOUND", `Project "${projectName}" was not found in ${entity}.`);
  assertProjectAccess(account, project, "read", `Project ${entity}/${projectName}`);
  principal.noteUse?.("read", `${entity}/${project.name}`);
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await db.run.findMany({
    where: {
      projectId: project.id,
      ...(after
        ? {
            OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }],
          }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
    select: {
      id: true,
      name: true,
      config: true,
      summary: true,
      createdAt: true,
      createdByIdentity: true,
      workloadClaims: true,
      attributedTo: { select: { email: true } },
    },
  });
  const hasMore = rows.length > page.limit;
  const runs = rows.slice(0, page.limit);
  const last = runs.at(-1);
  return {
    runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      createdBy: r.createdByIdentity,
      attributedTo: r.attributedTo?.email ?? null,
      createdAt: r.createdAt.toISOString(),
      config: r.config,
      summary: r.summary,
      workload: r.workloadClaims,
    })),
    nextCursor: hasMore && last ? encodeTimeCursor(last.createdAt, last.id) : null,
  };
}

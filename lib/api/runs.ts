import crypto from "node:crypto";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/validation/cursor";
import { db, type Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit/record";
import { isUniqueViolation } from "@/lib/db/errors";
import type { VerifiedKey } from "@/lib/keys/verify";
import { ApiError } from "./errors";
import { decideProjectAccess, type AccessDecision, type Operation } from "./policy";
import type { TCreateRunInput } from "./schemas";

export type ApiAccount = VerifiedKey["serviceAccount"] & {
  /** Verified claims of the exchanged JWT when the caller used an access token. */
  workloadClaims?: Record<string, unknown>;
};

const STATUS_OF_DENIAL = {
  not_found: 404,
  read_only_role: 403,
  restricted_project: 403,
  cross_team_write_denied: 403,
  forbidden: 403,
} as const;

const MESSAGE_OF_DENIAL = {
  not_found: "Project not found.",
  read_only_role:
    "This service account has the Viewer role, which is read-only. Ask an admin to give it the Member role.",
  restricted_project:
    "This project is restricted and this service account has not been added to it. A team admin can grant access in Team Settings → Projects.",
  cross_team_write_denied:
    "A team-scoped service account can only write to Open projects of other teams. Use an account of the project's team, or an org-scoped account.",
  forbidden: "This project belongs to another team and is visible to that team only.",
} as const;

function assertAllowed(decision: AccessDecision, what: string): void {
  if (decision.allowed) return;
  const message = decision.code === "not_found" ? `${what} was not found.` : MESSAGE_OF_DENIAL[decision.code];
  throw new ApiError(STATUS_OF_DENIAL[decision.code], decision.code, message);
}

/** Where a request came from, for the audit trail. */
export type RequestSource = { ip: string | null; userAgent: string | null };

/** The team an entity names, in the account's own organization only. */
async function findTeam(client: Tx, account: ApiAccount, entity: string) {
  const team = await client.team.findUnique({
    where: { slug: entity },
    select: { id: true, slug: true, orgId: true },
  });
  if (!team || team.orgId !== account.orgId) {
    throw new ApiError(
      404,
      "not_found",
      `Entity "${entity}" was not found in organization ${account.orgSlug}.`,
    );
  }
  return team;
}

/** What the policy needs about a project, including whether this account was added to it. */
function projectSelect(account: ApiAccount) {
  return {
    id: true,
    name: true,
    visibility: true,
    teamId: true,
    access: { where: { serviceAccountId: account.id }, select: { id: true } },
  } as const;
}

function withGrant<P extends { access: unknown[] }>(project: P) {
  return { ...project, isGranted: project.access.length > 0 };
}

async function findProject(client: Tx, account: ApiAccount, teamId: string, name: string) {
  const project = await client.project.findUnique({
    where: { teamId_name: { teamId, name } },
    select: projectSelect(account),
  });
  return project && withGrant(project);
}

function decide(
  account: ApiAccount,
  project: { teamId: string; visibility: "OPEN" | "PUBLIC" | "TEAM" | "RESTRICTED"; isGranted: boolean },
  op: Operation,
) {
  return decideProjectAccess(
    { orgId: account.orgId, scope: account.scope, teamId: account.team.id, role: account.role },
    {
      orgId: account.orgId,
      teamId: project.teamId,
      visibility: project.visibility,
      isGranted: project.isGranted,
    },
    op,
  );
}

/**
 * Resolves the human a run is attributed to (rule 10): a member of the account's parent team
 * (team scope) or of the target team (org scope). Otherwise the run stays unattributed and the
 * answer carries a warning that says why.
 */
async function resolveAttribution(
  client: Tx,
  account: ApiAccount,
  targetTeam: { id: string; slug: string },
  input: Pick<TCreateRunInput, "username" | "userEmail">,
): Promise<{ user: { id: string; email: string } | null; warning: string | null }> {
  if (!input.userEmail && !input.username) return { user: null, warning: null };
  const team = account.scope === "TEAM" ? account.team : targetTeam;
  const members = await client.teamMembership.findMany({
    where: { teamId: team.id },
    select: { user: { select: { id: true, email: true } } },
  });
  const asked = input.userEmail ?? input.username!;
  const matches = members
    .map((m) => m.user)
    .filter((u) =>
      input.userEmail
        ? u.email === input.userEmail
        : u.email.split("@")[0]?.toLowerCase() === input.username!.toLowerCase(),
    );
  if (matches.length === 1) return { user: matches[0]!, warning: null };
  const field = input.userEmail ? "userEmail" : "username";
  const why =
    matches.length > 1
      ? `${field} "${asked}" matches several members of team ${team.slug}; use userEmail`
      : `${field} "${asked}" is not a member of team ${team.slug}`;
  return { user: null, warning: `${why}, so the run is not attributed to anyone.` };
}

function runName(input: TCreateRunInput): string {
  return input.name ?? `run-${crypto.randomBytes(4).toString("hex")}`;
}

/** Writes the run itself: one INSERT, atomic on its own. */
async function insertRun(
  client: Tx,
  account: ApiAccount,
  project: { id: string; name: string } & Parameters<typeof decide>[1],
  team: { id: string; slug: string },
  input: TCreateRunInput,
) {
  assertAllowed(decide(account, project, "write"), `Project ${team.slug}/${input.project}`);
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
      workloadClaims: (account.workloadClaims ?? {}) as Prisma.InputJsonObject,
    },
    select: { id: true, name: true },
  });
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
 * POST /api/v1/runs: writes a run, creating the project in the account's own team if missing.
 * When the project exists the run is one INSERT (atomic by itself; the data layer guarantees it
 * never lands inside another request's transaction). When it must be created, the project, its
 * `project.created` audit event (the account is the actor) and the run commit together in one
 * transaction or not at all; on SQLite that transaction holds the write lock from its first
 * statement (BEGIN IMMEDIATE), so two requests cannot both create the project.
 */
export async function createRun(account: ApiAccount, input: TCreateRunInput, source?: RequestSource) {
  const entity = input.entity ?? account.team.slug;
  const team = await findTeam(db, account, entity);
  const existing = await findProject(db, account, team.id, input.project);
  if (existing) return insertRun(db, account, existing, team, input);
  if (team.id !== account.team.id) {
    throw new ApiError(
      404,
      "not_found",
      `Project "${input.project}" was not found in ${entity}. Projects are created automatically only in this account's own team (${account.team.slug}).`,
    );
  }
  // A Viewer may not create the project either.
  if (account.role === "VIEWER") throw new ApiError(403, "read_only_role", MESSAGE_OF_DENIAL.read_only_role);

  try {
    return await createRunInNewProject(account, team, input, source);
  } catch (error) {
    // PostgreSQL: a concurrent request created the project first; write into it.
    if (!isUniqueViolation(error)) throw error;
    const created = await findProject(db, account, team.id, input.project);
    if (!created) throw error;
    return insertRun(db, account, created, team, input);
  }
}

/** The project, its audit event and the run, in one transaction. */
function createRunInNewProject(
  account: ApiAccount,
  team: { id: string; slug: string },
  input: TCreateRunInput,
  source?: RequestSource,
) {
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
        actor: { type: "SERVICE_ACCOUNT", id: account.id, identity: account.identity },
        action: "project.created",
        target: { type: "project", id: project.id, name: `${team.slug}/${project.name}` },
        metadata: { visibility: "TEAM", via: "api" },
        ip: source?.ip ?? null,
        userAgent: source?.userAgent ?? null,
      });
    }
    return insertRun(tx, account, project, team, input);
  });
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const after = decodeTimeCursor(cursor);
  if (!after) {
    throw new ApiError(
      400,
      "invalid_request",
      "cursor is not valid: pass the nextCursor of a previous answer.",
    );
  }
  return after;
}

/** GET /api/v1/projects/<entity>/<project>/runs: newest first, cursor-paginated. */
export async function listRuns(
  account: ApiAccount,
  entity: string,
  projectName: string,
  page: { limit: number; cursor?: string },
) {
  const team = await findTeam(db, account, entity);
  const project = await findProject(db, account, team.id, projectName);
  if (!project) throw new ApiError(404, "not_found", `Project "${projectName}" was not found in ${entity}.`);
  assertAllowed(decide(account, project, "read"), `Project ${entity}/${projectName}`);
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

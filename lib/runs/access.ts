// The team and project a runs request names — looked up in the calling account's organization
// only — and the project-access policy's answer as the domain's refusal.
import type { Tx } from "@/lib/db";
import type { ActingServiceAccount, ServiceAccountPrincipal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { credentialDenial } from "@/lib/keys/restrictions";
import {
  decideProjectAccess,
  type AccessDecision,
  type Operation,
  type ProjectFacts,
} from "@/lib/authz/project-access";

const MESSAGE_OF_DENIAL = {
  read_only_role:
    "This service account has the Viewer role, which is read-only. Ask an admin to give it the Member role.",
  restricted_project:
    "This project is restricted and this service account has not been added to it. A team admin can grant access in Team Settings → Projects.",
  cross_team_write_denied:
    "A team-scoped service account can only write to Open projects of other teams. Use an account of the project's team, or an org-scoped account.",
  forbidden: "This project belongs to another team and is visible to that team only.",
} as const;

/** A Viewer's refusal to write (the answer's code is read_only_role). */
export function readOnlyRefusal(): AppError {
  return new AppError("FORBIDDEN", MESSAGE_OF_DENIAL.read_only_role, undefined, "read_only_role");
}

function refusalOf(decision: Extract<AccessDecision, { allowed: false }>, what: string): AppError {
  switch (decision.code) {
    case "not_found":
      return new AppError("NOT_FOUND", `${what} was not found.`);
    case "forbidden":
      return new AppError("FORBIDDEN", MESSAGE_OF_DENIAL.forbidden);
    default:
      return new AppError("FORBIDDEN", MESSAGE_OF_DENIAL[decision.code], undefined, decision.code);
  }
}

/** Throws the policy's refusal when the account may not do `operation` to the project. */
export function assertProjectAccess(
  account: ActingServiceAccount,
  project: Omit<ProjectFacts, "orgId">,
  operation: Operation,
  what: string,
): void {
  const decision = decideProjectAccess(
    { orgId: account.orgId, scope: account.scope, teamId: account.team.id, role: account.role },
    {
      orgId: account.orgId,
      teamId: project.teamId,
      visibility: project.visibility,
      isGranted: project.isGranted,
    },
    operation,
  );
  if (!decision.allowed) throw refusalOf(decision, what);
}

/**
 * Rule 24: what the credential narrows the account to, checked before anything is looked up, so
 * that a key limited to some projects learns nothing about the others (not even whether they
 * exist).
 */
export function assertCredentialScope(
  principal: ServiceAccountPrincipal,
  entity: string,
  project: string,
  operation: Operation,
): void {
  const restrictions = principal.restrictions;
  if (!restrictions) return;
  const path = `${entity}/${project}`;
  switch (credentialDenial(restrictions, principal.serviceAccount.role, path, operation)) {
    case "read_only_key":
      throw new AppError(
        "FORBIDDEN",
        "This key is read-only (its permission is read). Use a key with write permission to write runs.",
        undefined,
        "scope_denied",
      );
    case "other_project":
      throw new AppError(
        "FORBIDDEN",
        `This key is limited to its listed projects (its projects restriction), and ${path} is not one of them.`,
        undefined,
        "scope_denied",
      );
  }
}

/** A key limited to projects may not create one (rule 24). */
export function assertMayCreateProject(
  principal: ServiceAccountPrincipal,
  entity: string,
  project: string,
): void {
  if (principal.restrictions?.projects) {
    throw new AppError(
      "FORBIDDEN",
      `Project "${project}" was not found in ${entity}, and a key limited to projects (its projects restriction) may not create one.`,
      undefined,
      "scope_denied",
    );
  }
}

/** The team an entity names, in the account's own organization only. */
export async function findTeam(client: Tx, account: ActingServiceAccount, entity: string) {
  const team = await client.team.findUnique({
    where: { slug: entity },
    select: { id: true, slug: true, orgId: true },
  });
  if (!team || team.orgId !== account.orgId) {
    throw new AppError("NOT_FOUND", `Entity "${entity}" was not found in organization ${account.orgSlug}.`);
  }
  return team;
}

/** What the policy needs about a project, including whether this account was added to it. */
export function projectSelect(account: ActingServiceAccount) {
  return {
    id: true,
    name: true,
    visibility: true,
    teamId: true,
    access: { where: { serviceAccountId: account.id }, select: { id: true } },
  } as const;
}

export function withGrant<P extends { access: unknown[] }>(project: P) {
  return { ...project, isGranted: project.access.length > 0 };
}

export async function findProject(client: Tx, account: ActingServiceAccount, teamId: string, name: string) {
  const project = await client.project.findUnique({
    where: { teamId_name: { teamId, name } },
    select: projectSelect(account),
  });
  return project && withGrant(project);
}

import { AppError } from "@/lib/errors";
import {
  isServiceAccountPrincipal,
  type ActingServiceAccount,
  type PersonPrincipal,
  type Principal,
} from "@/lib/core/principal";
import { isBoundedId } from "@/lib/validation/text";
import { findOrgBySlug, findTeamBySlug, loadOrgActor } from "./data";
import { decideOrgOperation, decideTeamOperation } from "./management";
import { canInOrg, canInTeam, type OrgActor, type OrgAction, type TeamAction } from "./policy";

const DENIED = "You don't have permission to do that here. Ask an admin of this organization.";

/** Loads the org and a person's roles in it, and refuses unless they may do `action`. */
export async function authorizeOrg(person: PersonPrincipal, orgSlug: string, action: OrgAction) {
  const org = await findOrgBySlug(orgSlug);
  const actor = await loadOrgActor(person.user.id, org.id);
  if (!canInOrg(actor, action)) throw new AppError("FORBIDDEN", DENIED);
  return { org, actor };
}

/** Loads the team (with its org) and a person's roles, and refuses unless `action` is allowed. */
export async function authorizeTeam(person: PersonPrincipal, teamSlug: string, action: TeamAction) {
  const team = await findTeamBySlug(teamSlug);
  const actor = await loadOrgActor(person.user.id, team.orgId);
  if (!canInTeam(actor, team, action)) {
    throw new AppError("FORBIDDEN", "You don't have permission to do that in this team. Ask a team admin.");
  }
  return { team, actor };
}

/**
 * The org a principal administers for `action`: a person by their role in the org the page
 * names; a service account only when it is an org-scoped ADMIN, and only in its own org.
 */
export async function authorizeOrgAdmin(
  principal: Principal,
  orgSlug: string | undefined,
  action: OrgAction,
  refusal: string,
): Promise<{ id: string; slug: string }> {
  if (isServiceAccountPrincipal(principal)) {
    const sa = principal.serviceAccount;
    if (sa.role !== "ADMIN" || sa.scope !== "ORG") throw new AppError("FORBIDDEN", refusal);
    return { id: sa.orgId, slug: sa.orgSlug };
  }
  if (!isBoundedId(orgSlug)) throw new AppError("NOT_FOUND", "Organization not found.");
  const { org } = await authorizeOrg(principal, orgSlug, action);
  return { id: org.id, slug: org.slug };
}

/** Where a principal stands in an org: a person with their roles, or an acting service account. */
export type Standing =
  { kind: "person"; actor: OrgActor } | { kind: "service_account"; account: ActingServiceAccount };

const ACCOUNT_ORG_DENIED =
  "This service account may not do that: only org-scoped ADMIN accounts manage the organization's teams.";
const ACCOUNT_TEAM_DENIED = "Only ADMIN service accounts manage teams, members, projects and grants.";

/**
 * The org a principal may do `action` in: the one a page names, for a person (by their role);
 * its own org, for a service account (rule 17 extended: `decideOrgOperation`).
 */
export async function authorizeOrgFor(principal: Principal, orgSlug: string | undefined, action: OrgAction) {
  if (isServiceAccountPrincipal(principal)) {
    const account = principal.serviceAccount;
    if (decideOrgOperation(account, action) !== "allowed")
      throw new AppError("FORBIDDEN", ACCOUNT_ORG_DENIED);
    const org = await findOrgBySlug(account.orgSlug);
    return { org, standing: { kind: "service_account", account } as Standing };
  }
  if (!isBoundedId(orgSlug)) throw new AppError("NOT_FOUND", "Organization not found.");
  const { org, actor } = await authorizeOrg(principal, orgSlug, action);
  return { org, standing: { kind: "person", actor } as Standing };
}

/**
 * The team of `teamSlug` and the principal's standing in it, or a refusal: people by their org
 * and team roles; service accounts by `decideTeamOperation` (another org's or, for a team-scoped
 * account, another team's team answers NOT_FOUND like a missing one).
 */
export async function authorizeTeamFor(principal: Principal, teamSlug: string, action: TeamAction) {
  if (isServiceAccountPrincipal(principal)) {
    const account = principal.serviceAccount;
    const team = await findTeamBySlug(teamSlug).catch(() => null);
    const decision = team ? decideTeamOperation(account, team, action) : "not_found";
    if (decision === "not_found" || !team)
      throw new AppError("NOT_FOUND", `Team "${teamSlug}" was not found.`);
    if (decision === "forbidden") throw new AppError("FORBIDDEN", ACCOUNT_TEAM_DENIED);
    return { team, standing: { kind: "service_account", account } as Standing };
  }
  const { team, actor } = await authorizeTeam(principal, teamSlug, action);
  return { team, standing: { kind: "person", actor } as Standing };
}

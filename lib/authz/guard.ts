import { AppError } from "@/lib/errors";
import { isServiceAccountPrincipal, type Principal } from "@/lib/core/principal";
import { isBoundedId } from "@/lib/validation/text";
import { findOrgBySlug, findTeamBySlug, loadOrgActor } from "./data";
import { canInOrg, canInTeam, type OrgAction, type TeamAction } from "./policy";

const DENIED = "You don't have permission to do that here. Ask an admin of this organization.";

/** Loads the org and the caller's roles in it, and refuses unless the caller may do `action`. */
export async function authorizeOrg(userId: string, orgSlug: string, action: OrgAction) {
  const org = await findOrgBySlug(orgSlug);
  const actor = await loadOrgActor(userId, org.id);
  if (!canInOrg(actor, action)) throw new AppError("FORBIDDEN", DENIED);
  return { org, actor };
}

/** Loads the team (with its org) and the caller's roles, and refuses unless `action` is allowed. */
export async function authorizeTeam(userId: string, teamSlug: string, action: TeamAction) {
  const team = await findTeamBySlug(teamSlug);
  const actor = await loadOrgActor(userId, team.orgId);
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
  const { org } = await authorizeOrg(principal.user.id, orgSlug, action);
  return { id: org.id, slug: org.slug };
}

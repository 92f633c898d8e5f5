import { AppError } from "@/lib/errors";
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

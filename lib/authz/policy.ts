// Who may see and change what in the console. Pure functions over an actor's roles, loaded
// fresh from the database on every request (never from the session token), so a role change or
// removal takes effect on the person's next request.
import type { Visibility } from "./visibility";

export type OrgRoleName = "ADMIN" | "MEMBER";
export type TeamRoleName = "ADMIN" | "MEMBER" | "VIEWER";

/** A person's standing in one organization. */
export type OrgActor = {
  userId: string;
  orgId: string;
  /** null when the person is not a member of the org at all. */
  orgRole: OrgRoleName | null;
  /** Team id → role, for teams of this org only. */
  teamRoles: Readonly<Record<string, TeamRoleName>>;
};

export const ORG_ACTIONS = [
  "org.view_dashboard",
  "org.manage_members",
  "org.manage_teams",
  "org.manage_settings",
  "org.view_audit",
  "org.manage_service_accounts",
  "org.manage_identity_providers",
  "org.manage_webhooks",
  "org.manage_policies",
  /** Single sign-on and SCIM provisioning (rules 34, 35): people's own doors, never an account's. */
  "org.manage_sign_in",
] as const;
export type OrgAction = (typeof ORG_ACTIONS)[number];

export const TEAM_ACTIONS = [
  "team.view",
  "team.manage_members",
  "team.create_project",
  "team.manage_projects",
  "team.view_service_accounts",
  "team.manage_service_accounts",
] as const;
export type TeamAction = (typeof TEAM_ACTIONS)[number];

// Everything on the Org Dashboard belongs to org admins; members only see the teams they are in.
const ORG_ROLE_ACTIONS: Record<OrgRoleName, ReadonlySet<OrgAction>> = {
  ADMIN: new Set(ORG_ACTIONS),
  MEMBER: new Set(),
};

const TEAM_ROLE_ACTIONS: Record<TeamRoleName, ReadonlySet<TeamAction>> = {
  ADMIN: new Set(TEAM_ACTIONS),
  MEMBER: new Set(["team.view", "team.create_project", "team.view_service_accounts"]),
  VIEWER: new Set(["team.view", "team.view_service_accounts"]),
};

export function canInOrg(actor: OrgActor, action: OrgAction): boolean {
  return actor.orgRole !== null && ORG_ROLE_ACTIONS[actor.orgRole].has(action);
}

/** Org admins may do everything in every team of their org; others act by their team role. */
export function canInTeam(actor: OrgActor, team: { id: string; orgId: string }, action: TeamAction): boolean {
  if (actor.orgRole === null || team.orgId !== actor.orgId) return false;
  if (actor.orgRole === "ADMIN") return true;
  const role = actor.teamRoles[team.id];
  return role !== undefined && TEAM_ROLE_ACTIONS[role].has(action);
}

/**
 * Whether a person sees a project in the console: org admins and the team's admins see all;
 * RESTRICTED projects otherwise only with an explicit grant; TEAM projects to the team;
 * OPEN and PUBLIC projects to every member of the org.
 */
export function canSeeProject(
  actor: OrgActor,
  project: { visibility: Visibility; team: { id: string; orgId: string }; isGranted: boolean },
): boolean {
  if (actor.orgRole === null || project.team.orgId !== actor.orgId) return false;
  if (canInTeam(actor, project.team, "team.manage_projects")) return true;
  switch (project.visibility) {
    case "RESTRICTED":
      return project.isGranted;
    case "TEAM":
      return actor.teamRoles[project.team.id] !== undefined;
    case "OPEN":
    case "PUBLIC":
      return true;
  }
}

/** A service account as the policy sees it. */
export type ServiceAccountRef = { orgId: string; scope: "ORG" | "TEAM"; team: { id: string; orgId: string } };

/**
 * Org admins manage org-scoped accounts (rule 1); a team's admins — and org admins — manage
 * that team's accounts (rule 2). Nothing crosses organizations.
 */
export function canManageServiceAccount(actor: OrgActor, account: ServiceAccountRef): boolean {
  if (account.orgId !== actor.orgId) return false;
  if (account.scope === "ORG") return canInOrg(actor, "org.manage_service_accounts");
  return canInTeam(actor, account.team, "team.manage_service_accounts");
}

/** Org-scoped accounts are seen by org admins; a team's accounts by everyone in the team (read-only). */
export function canViewServiceAccount(actor: OrgActor, account: ServiceAccountRef): boolean {
  if (account.orgId !== actor.orgId) return false;
  if (account.scope === "ORG") return canInOrg(actor, "org.manage_service_accounts");
  return canInTeam(actor, account.team, "team.view_service_accounts");
}

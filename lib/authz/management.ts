// Rule 17: what an ADMIN service account may manage through the management API. Pure functions;
// the domain (lib/service-accounts) applies them, the rule-17 matrix tests them over HTTP.
import type { ActingServiceAccount } from "@/lib/core/principal";
import type { OrgAction, TeamAction } from "./policy";

/** What a management call does to an account; some changes are never allowed on oneself. */
export type ManagementChange = "view" | "edit" | "role_or_status" | "delete" | "keys";

export type ManagementDecision = "allowed" | "not_found" | "forbidden";

export type ManagedTarget = { id: string; orgId: string; scope: "ORG" | "TEAM"; teamId: string };

/**
 * Only ADMIN accounts use the management API (rule 6). An org-scoped one manages every account
 * of its org; a team-scoped one only the team-scoped accounts of its own team. Anything outside
 * that scope is indistinguishable from a missing account. No account changes its own role or
 * status or deletes itself.
 */
export function decideAccountManagement(
  admin: ActingServiceAccount,
  target: ManagedTarget,
  change: ManagementChange,
): ManagementDecision {
  if (admin.role !== "ADMIN") return "forbidden";
  if (target.orgId !== admin.orgId) return "not_found";
  if (admin.scope === "TEAM" && (target.scope !== "TEAM" || target.teamId !== admin.team.id)) {
    return "not_found";
  }
  if (target.id === admin.id && (change === "role_or_status" || change === "delete")) return "forbidden";
  return "allowed";
}

/** Creating: a team-scoped ADMIN creates only team-scoped accounts of its own team. */
export function decideAccountCreation(
  admin: ActingServiceAccount,
  target: { scope: "ORG" | "TEAM"; teamId: string },
): ManagementDecision {
  if (admin.role !== "ADMIN") return "forbidden";
  if (admin.scope === "TEAM" && (target.scope === "ORG" || target.teamId !== admin.team.id)) {
    return "forbidden";
  }
  return "allowed";
}

/** Listing: which accounts of its org a caller sees; null when it may not list at all. */
export function managedListScope(admin: ActingServiceAccount): { scope?: "TEAM"; teamId?: string } | null {
  if (admin.role !== "ADMIN") return null;
  return admin.scope === "ORG" ? {} : { scope: "TEAM", teamId: admin.team.id };
}

/**
 * Org operations an account may do (issue 16, rule 17 extended): an org-scoped ADMIN reads its
 * org's teams, people and audit log and manages its teams, accounts and identity providers;
 * people and settings stay with the console (and SCIM). Nothing else may.
 */
const ACCOUNT_ORG_ACTIONS: ReadonlySet<OrgAction> = new Set<OrgAction>([
  "org.view_dashboard",
  "org.manage_teams",
  "org.view_audit",
  "org.manage_service_accounts",
  "org.manage_identity_providers",
  "org.manage_webhooks",
  "org.manage_policies",
]);

export function decideOrgOperation(account: ActingServiceAccount, action: OrgAction): ManagementDecision {
  if (account.role !== "ADMIN" || account.scope !== "ORG") return "forbidden";
  return ACCOUNT_ORG_ACTIONS.has(action) ? "allowed" : "forbidden";
}

/**
 * Team operations (members, projects, grants, the team itself): an org-scoped ADMIN account in
 * every team of its org, a team-scoped one only in its own team; another team of a team-scoped
 * admin, and any team of another org, is indistinguishable from a missing one. Non-ADMIN accounts
 * manage nothing (what they may read of projects is rules 3–6, `decideProjectAccess`).
 */
export function decideTeamOperation(
  account: ActingServiceAccount,
  team: { id: string; orgId: string },
  action: TeamAction,
): ManagementDecision {
  if (team.orgId !== account.orgId) return "not_found";
  if (account.scope === "TEAM" && team.id !== account.team.id) return "not_found";
  if (account.role !== "ADMIN") return action === "team.view" ? "allowed" : "forbidden";
  return "allowed";
}

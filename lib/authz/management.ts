// Rule 17: what an ADMIN service account may manage through the management API. Pure functions;
// the domain (lib/service-accounts) applies them, the rule-17 matrix tests them over HTTP.
import type { ActingServiceAccount } from "@/lib/core/principal";

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

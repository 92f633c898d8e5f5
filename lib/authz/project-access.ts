// What a service account may do to a project (SPEC §2, rules 3–6). Pure functions: the runs
// domain enforces them and the console's "Why?" table explains them, from the same code.
import type { Visibility } from "./visibility";

export type Operation = "read" | "write";

/**
 * A service account as the project-access policy sees it: deliberately narrower than
 * ActingServiceAccount (lib/core/principal.ts), with a flat teamId, so that a database row of
 * any account (not only the calling one) can be decided on without building a principal.
 */
export type AccountFacts = {
  orgId: string;
  scope: "ORG" | "TEAM";
  /** Parent team (team scope) or default team (org scope). */
  teamId: string;
  role: "ADMIN" | "MEMBER" | "VIEWER";
};

export type ProjectFacts = {
  orgId: string;
  teamId: string;
  visibility: Visibility;
  /** Whether the account was explicitly added to this (restricted) project. */
  isGranted: boolean;
};

export type DenialCode =
  "not_found" | "read_only_role" | "restricted_project" | "cross_team_write_denied" | "forbidden";

export type AccessDecision =
  { allowed: true; rule: string } | { allowed: false; code: DenialCode; rule: string };

const allow = (rule: string): AccessDecision => ({ allowed: true, rule });
const deny = (code: DenialCode, rule: string): AccessDecision => ({ allowed: false, code, rule });

/** Decides one operation on one project, with the rule that decides it in words. */
export function decideProjectAccess(
  account: AccountFacts,
  project: ProjectFacts,
  operation: Operation,
): AccessDecision {
  // Nothing crosses organizations; another org's project is indistinguishable from a missing one.
  if (project.orgId !== account.orgId) return deny("not_found", "project of another organization");
  if (operation === "write" && account.role === "VIEWER")
    return deny("read_only_role", "Viewer role is read-only");

  const isHomeTeam = project.teamId === account.teamId;
  if (account.scope === "TEAM" && !isHomeTeam) {
    switch (project.visibility) {
      case "OPEN":
        return allow("other team's OPEN project");
      case "PUBLIC":
        return operation === "read"
          ? allow("other team's PUBLIC project: read only")
          : deny("cross_team_write_denied", "other team's PUBLIC project: read only");
      case "TEAM":
        return operation === "read"
          ? deny("forbidden", "other team's TEAM project")
          : deny("cross_team_write_denied", "other team's TEAM project");
      case "RESTRICTED":
        return operation === "read"
          ? deny("restricted_project", "other team's restricted project")
          : deny("cross_team_write_denied", "other team's restricted project");
    }
  }
  if (project.visibility === "RESTRICTED") {
    return project.isGranted
      ? allow("restricted project: granted")
      : deny("restricted_project", "restricted project: not granted");
  }
  return account.scope === "ORG"
    ? allow("org-scoped account: every team's project")
    : allow("own team's project");
}

/** Whether an account may be granted access to a restricted project: org-scoped, or of its team. */
export function isGrantEligible(
  account: { orgId: string; scope: "ORG" | "TEAM"; teamId: string },
  project: { orgId: string; teamId: string },
) {
  return account.orgId === project.orgId && (account.scope === "ORG" || account.teamId === project.teamId);
}

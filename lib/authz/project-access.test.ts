import { describe, expect, it } from "vitest";
import { decideProjectAccess, isGrantEligible, type AccountFacts, type Operation } from "./project-access";
import type { Visibility } from "./visibility";

const ORG = "org";
const HOME = "home-team";
const OTHER = "other-team";

// Every cell written out: scope × home/other × visibility × operation → expected code ("ok" when
// allowed) for a MEMBER; VIEWER differs only by refusing writes; ADMIN equals MEMBER here.
const EXPECTED: Record<string, string> = {
  "ORG home OPEN read": "ok",
  "ORG home OPEN write": "ok",
  "ORG home PUBLIC read": "ok",
  "ORG home PUBLIC write": "ok",
  "ORG home TEAM read": "ok",
  "ORG home TEAM write": "ok",
  "ORG home RESTRICTED read": "restricted_project",
  "ORG home RESTRICTED write": "restricted_project",
  "ORG other OPEN read": "ok",
  "ORG other OPEN write": "ok",
  "ORG other PUBLIC read": "ok",
  "ORG other PUBLIC write": "ok",
  "ORG other TEAM read": "ok",
  "ORG other TEAM write": "ok",
  "ORG other RESTRICTED read": "restricted_project",
  "ORG other RESTRICTED write": "restricted_project",
  "TEAM home OPEN read": "ok",
  "TEAM home OPEN write": "ok",
  "TEAM home PUBLIC read": "ok",
  "TEAM home PUBLIC write": "ok",
  "TEAM home TEAM read": "ok",
  "TEAM home TEAM write": "ok",
  "TEAM home RESTRICTED read": "restricted_project",
  "TEAM home RESTRICTED write": "restricted_project",
  "TEAM other OPEN read": "ok",
  "TEAM other OPEN write": "ok",
  "TEAM other PUBLIC read": "ok",
  "TEAM other PUBLIC write": "cross_team_write_denied",
  "TEAM other TEAM read": "forbidden",
  "TEAM other TEAM write": "cross_team_write_denied",
  "TEAM other RESTRICTED read": "restricted_project",
  "TEAM other RESTRICTED write": "cross_team_write_denied",
};

const outcome = (
  principal: AccountFacts,
  teamId: string,
  visibility: Visibility,
  op: Operation,
  isGranted = false,
) => {
  const decision = decideProjectAccess(principal, { orgId: ORG, teamId, visibility, isGranted }, op);
  return decision.allowed ? "ok" : decision.code;
};

describe("decideProjectAccess", () => {
  for (const scope of ["ORG", "TEAM"] as const) {
    for (const where of ["home", "other"] as const) {
      for (const visibility of ["OPEN", "PUBLIC", "TEAM", "RESTRICTED"] as const) {
        for (const op of ["read", "write"] as const) {
          for (const role of ["ADMIN", "MEMBER", "VIEWER"] as const) {
            const base = EXPECTED[`${scope} ${where} ${visibility} ${op}`]!;
            const expected = role === "VIEWER" && op === "write" ? "read_only_role" : base;
            it(`${scope} ${role} ${op} on ${where} team's ${visibility} project → ${expected}`, () => {
              expect(
                outcome(
                  { orgId: ORG, scope, teamId: HOME, role },
                  where === "home" ? HOME : OTHER,
                  visibility,
                  op,
                ),
              ).toBe(expected);
            });
          }
        }
      }
    }
  }

  it("lets a grant open a restricted project to org-scoped accounts and the team's own accounts only", () => {
    const org: AccountFacts = { orgId: ORG, scope: "ORG", teamId: HOME, role: "MEMBER" };
    const team: AccountFacts = { orgId: ORG, scope: "TEAM", teamId: HOME, role: "MEMBER" };
    expect(outcome(org, OTHER, "RESTRICTED", "write", true)).toBe("ok");
    expect(outcome(team, HOME, "RESTRICTED", "write", true)).toBe("ok");
    expect(outcome(team, OTHER, "RESTRICTED", "read", true)).toBe("restricted_project");
    expect(outcome({ ...team, role: "VIEWER" }, HOME, "RESTRICTED", "read", true)).toBe("ok");
  });

  it("never crosses organizations", () => {
    const principal: AccountFacts = { orgId: ORG, scope: "ORG", teamId: HOME, role: "ADMIN" };
    const decision = decideProjectAccess(
      principal,
      { orgId: "elsewhere", teamId: HOME, visibility: "OPEN", isGranted: true },
      "read",
    );
    expect(decision).toEqual({ allowed: false, code: "not_found", rule: "project of another organization" });
  });

  it("says which rule decides", () => {
    const principal: AccountFacts = { orgId: ORG, scope: "TEAM", teamId: HOME, role: "MEMBER" };
    expect(
      decideProjectAccess(
        principal,
        { orgId: ORG, teamId: OTHER, visibility: "TEAM", isGranted: false },
        "read",
      ),
    ).toEqual({
      allowed: false,
      code: "forbidden",
      rule: "other team's TEAM project",
    });
  });

  it("admits grants for org-scoped accounts and the project's own team only", () => {
    const project = { orgId: ORG, teamId: HOME };
    expect(isGrantEligible({ orgId: ORG, scope: "ORG", teamId: OTHER }, project)).toBe(true);
    expect(isGrantEligible({ orgId: ORG, scope: "TEAM", teamId: HOME }, project)).toBe(true);
    expect(isGrantEligible({ orgId: ORG, scope: "TEAM", teamId: OTHER }, project)).toBe(false);
    expect(isGrantEligible({ orgId: "elsewhere", scope: "ORG", teamId: HOME }, project)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import {
  ORG_ACTIONS,
  TEAM_ACTIONS,
  canInOrg,
  canInTeam,
  canManageServiceAccount,
  canSeeProject,
  canViewServiceAccount,
  type OrgActor,
  type OrgAction,
  type TeamAction,
} from "./policy";
import type { Visibility } from "./visibility";

const ORG = "org-1";
const HOME = { id: "team-home", orgId: ORG };
const OTHER = { id: "team-other", orgId: ORG };
const FOREIGN = { id: "team-foreign", orgId: "org-2" };

const actors: Record<string, OrgActor> = {
  orgAdmin: { userId: "u1", orgId: ORG, orgRole: "ADMIN", teamRoles: {} },
  teamAdmin: { userId: "u2", orgId: ORG, orgRole: "MEMBER", teamRoles: { [HOME.id]: "ADMIN" } },
  teamMember: { userId: "u3", orgId: ORG, orgRole: "MEMBER", teamRoles: { [HOME.id]: "MEMBER" } },
  teamViewer: { userId: "u4", orgId: ORG, orgRole: "MEMBER", teamRoles: { [HOME.id]: "VIEWER" } },
  orgMemberNoTeam: { userId: "u5", orgId: ORG, orgRole: "MEMBER", teamRoles: {} },
  // A stray team role without org membership grants nothing (removal from the org wins).
  outsider: { userId: "u6", orgId: ORG, orgRole: null, teamRoles: { [HOME.id]: "ADMIN" } },
};

// Expected answers, written out: which actors may do each org action.
const ORG_EXPECTED: Record<OrgAction, string[]> = {
  "org.view_dashboard": ["orgAdmin"],
  "org.manage_members": ["orgAdmin"],
  "org.manage_teams": ["orgAdmin"],
  "org.manage_settings": ["orgAdmin"],
  "org.view_audit": ["orgAdmin"],
  "org.manage_service_accounts": ["orgAdmin"],
  "org.manage_identity_providers": ["orgAdmin"],
  "org.manage_webhooks": ["orgAdmin"],
  "org.manage_policies": ["orgAdmin"],
  "org.manage_sign_in": ["orgAdmin"],
};

// Which actors may do each action in their home team.
const TEAM_EXPECTED: Record<TeamAction, string[]> = {
  "team.view": ["orgAdmin", "teamAdmin", "teamMember", "teamViewer"],
  "team.manage_members": ["orgAdmin", "teamAdmin"],
  "team.create_project": ["orgAdmin", "teamAdmin", "teamMember"],
  "team.manage_projects": ["orgAdmin", "teamAdmin"],
  "team.view_service_accounts": ["orgAdmin", "teamAdmin", "teamMember", "teamViewer"],
  "team.manage_service_accounts": ["orgAdmin", "teamAdmin"],
};

describe("canInOrg", () => {
  for (const action of ORG_ACTIONS) {
    for (const [name, actor] of Object.entries(actors)) {
      const expected = ORG_EXPECTED[action].includes(name);
      it(`${name} ${expected ? "may" : "may not"} ${action}`, () => {
        expect(canInOrg(actor, action)).toBe(expected);
      });
    }
  }
});

describe("canInTeam", () => {
  for (const action of TEAM_ACTIONS) {
    for (const [name, actor] of Object.entries(actors)) {
      const expected = TEAM_EXPECTED[action].includes(name);
      it(`${name} ${expected ? "may" : "may not"} ${action} in the home team`, () => {
        expect(canInTeam(actor, HOME, action)).toBe(expected);
      });
    }
  }

  it("gives team roles no power in another team of the same org", () => {
    for (const name of ["teamAdmin", "teamMember", "teamViewer", "orgMemberNoTeam"]) {
      for (const action of TEAM_ACTIONS) expect(canInTeam(actors[name]!, OTHER, action)).toBe(false);
    }
  });

  it("lets org admins act in every team of their org, and nothing crosses organizations", () => {
    for (const action of TEAM_ACTIONS) {
      expect(canInTeam(actors.orgAdmin!, OTHER, action)).toBe(true);
      for (const actor of Object.values(actors)) expect(canInTeam(actor, FOREIGN, action)).toBe(false);
    }
  });
});

describe("canSeeProject", () => {
  const see = (actor: string, visibility: Visibility, team = HOME, isGranted = false) =>
    canSeeProject(actors[actor]!, { visibility, team, isGranted });

  it("shows OPEN and PUBLIC projects to every org member", () => {
    for (const v of ["OPEN", "PUBLIC"] as const) {
      expect(see("orgMemberNoTeam", v)).toBe(true);
      expect(see("teamViewer", v, OTHER)).toBe(true);
      expect(see("outsider", v)).toBe(false);
    }
  });

  it("shows TEAM projects to the team and org admins only", () => {
    expect(see("teamViewer", "TEAM")).toBe(true);
    expect(see("orgMemberNoTeam", "TEAM")).toBe(false);
    expect(see("teamMember", "TEAM", OTHER)).toBe(false);
    expect(see("orgAdmin", "TEAM", OTHER)).toBe(true);
  });

  it("shows RESTRICTED projects to admins and explicit grantees only", () => {
    expect(see("teamMember", "RESTRICTED")).toBe(false);
    expect(see("teamMember", "RESTRICTED", HOME, true)).toBe(true);
    expect(see("teamAdmin", "RESTRICTED")).toBe(true);
    expect(see("orgAdmin", "RESTRICTED", OTHER)).toBe(true);
  });

  it("never shows another organization's project", () => {
    expect(see("orgAdmin", "OPEN", FOREIGN, true)).toBe(false);
  });
});

describe("service accounts", () => {
  const orgAccount = { orgId: ORG, scope: "ORG" as const, team: HOME };
  const homeAccount = { orgId: ORG, scope: "TEAM" as const, team: HOME };
  const otherAccount = { orgId: ORG, scope: "TEAM" as const, team: OTHER };
  const foreignAccount = { orgId: "org-2", scope: "TEAM" as const, team: FOREIGN };

  const managers = (account: typeof orgAccount | typeof homeAccount) =>
    Object.entries(actors)
      .filter(([, actor]) => canManageServiceAccount(actor, account))
      .map(([name]) => name);
  const viewers = (account: typeof orgAccount | typeof homeAccount) =>
    Object.entries(actors)
      .filter(([, actor]) => canViewServiceAccount(actor, account))
      .map(([name]) => name);

  it("lets only org admins manage and see org-scoped accounts, even in their default team", () => {
    expect(managers(orgAccount)).toEqual(["orgAdmin"]);
    expect(viewers(orgAccount)).toEqual(["orgAdmin"]);
  });

  it("lets a team's admins and org admins manage its accounts; members and viewers only see them", () => {
    expect(managers(homeAccount)).toEqual(["orgAdmin", "teamAdmin"]);
    expect(viewers(homeAccount)).toEqual(["orgAdmin", "teamAdmin", "teamMember", "teamViewer"]);
  });

  it("gives another team's admin nothing, and nothing crosses organizations", () => {
    expect(managers(otherAccount)).toEqual(["orgAdmin"]);
    expect(viewers(otherAccount)).toEqual(["orgAdmin"]);
    expect(managers(foreignAccount)).toEqual([]);
    expect(viewers(foreignAccount)).toEqual([]);
  });
});

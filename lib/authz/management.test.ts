import { describe, expect, it } from "vitest";
import type { ActingServiceAccount } from "@/lib/core/principal";
import { decideAccountCreation, decideAccountManagement, managedListScope } from "./management";

const admin = (
  scope: "ORG" | "TEAM",
  role: ActingServiceAccount["role"] = "ADMIN",
): ActingServiceAccount => ({
  id: `${scope}-${role}`,
  name: "admin",
  identity: "admin@acme.sa.deputy.local",
  orgId: "org-1",
  orgSlug: "acme",
  scope,
  role,
  team: { id: "team-a", slug: "a" },
});

const target = (
  over: Partial<{ id: string; orgId: string; scope: "ORG" | "TEAM"; teamId: string }> = {},
) => ({
  id: "target",
  orgId: "org-1",
  scope: "TEAM" as const,
  teamId: "team-a",
  ...over,
});

describe("rule 17: management by service accounts", () => {
  it("lets only ADMIN accounts manage", () => {
    expect(decideAccountManagement(admin("ORG", "MEMBER"), target(), "view")).toBe("forbidden");
    expect(decideAccountManagement(admin("TEAM", "VIEWER"), target(), "view")).toBe("forbidden");
    expect(managedListScope(admin("ORG", "MEMBER"))).toBeNull();
  });

  it("an org-scoped admin manages every account of its org, of both scopes and any team", () => {
    const org = admin("ORG");
    expect(decideAccountManagement(org, target({ scope: "ORG" }), "edit")).toBe("allowed");
    expect(decideAccountManagement(org, target({ teamId: "team-b" }), "delete")).toBe("allowed");
    expect(decideAccountManagement(org, target({ orgId: "org-2" }), "view")).toBe("not_found");
    expect(decideAccountCreation(org, { scope: "ORG", teamId: "team-b" })).toBe("allowed");
  });

  it("a team-scoped admin manages only its own team's team-scoped accounts", () => {
    const team = admin("TEAM");
    expect(decideAccountManagement(team, target(), "keys")).toBe("allowed");
    expect(decideAccountManagement(team, target({ teamId: "team-b" }), "view")).toBe("not_found");
    expect(decideAccountManagement(team, target({ scope: "ORG" }), "view")).toBe("not_found");
    expect(decideAccountCreation(team, { scope: "ORG", teamId: "team-a" })).toBe("forbidden");
    expect(decideAccountCreation(team, { scope: "TEAM", teamId: "team-b" })).toBe("forbidden");
    expect(decideAccountCreation(team, { scope: "TEAM", teamId: "team-a" })).toBe("allowed");
    expect(managedListScope(team)).toEqual({ scope: "TEAM", teamId: "team-a" });
  });

  it("no account changes its own role or status or deletes itself", () => {
    const org = admin("ORG");
    const self = target({ id: org.id, scope: "ORG" });
    expect(decideAccountManagement(org, self, "role_or_status")).toBe("forbidden");
    expect(decideAccountManagement(org, self, "delete")).toBe("forbidden");
    expect(decideAccountManagement(org, self, "edit")).toBe("allowed");
    expect(decideAccountManagement(org, self, "keys")).toBe("allowed");
  });
});

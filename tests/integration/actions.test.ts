// Server actions are public POST endpoints: call them directly, as an attacker would, with the
// session of someone who should not be allowed, and with no session at all.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PersonPrincipal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { db } from "@/lib/db";

let currentCaller: PersonPrincipal | null = null;

vi.mock("@/lib/auth/session", () => ({
  requireActionCaller: async () => {
    if (!currentCaller) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
    return currentCaller;
  },
}));
vi.mock("@/lib/request-context", () => ({
  requestSource: async () => ({ ip: "198.51.100.9", userAgent: "vitest" }),
}));

const orgActions = await import("@/lib/orgs/actions");
const teamActions = await import("@/lib/teams/actions");
const projectActions = await import("@/lib/projects/actions");
const { makeOrg } = await import("../support/factories");

beforeEach(() => {
  currentCaller = null;
});

describe("server actions", () => {
  it("refuse every call without a session", async () => {
    const { org, alpha, people } = await makeOrg();
    const results = await Promise.all([
      orgActions.addOrgMemberAction(org.slug, { email: "x@example.com" }),
      orgActions.changeOrgMemberRoleAction(org.slug, { userId: people.orgMember.id, role: "ADMIN" }),
      orgActions.removeOrgMemberAction(org.slug, { userId: people.orgMember.id }),
      orgActions.updateOrgSettingsAction(org.slug, { name: "x", seatLimit: 1 }),
      teamActions.createTeamAction(org.slug, { slug: "new-team", name: "N" }),
      teamActions.renameTeamAction(org.slug, { teamId: alpha.id, name: "N" }),
      teamActions.deleteTeamAction(org.slug, { teamId: alpha.id }),
      teamActions.addTeamMemberAction(alpha.slug, { email: people.orgMember.email }),
      teamActions.changeTeamMemberRoleAction(alpha.slug, { userId: people.alphaMember.id, role: "ADMIN" }),
      teamActions.removeTeamMemberAction(alpha.slug, { userId: people.alphaMember.id }),
      projectActions.createProjectAction(alpha.slug, { name: "p" }),
      projectActions.changeProjectVisibilityAction(alpha.slug, { projectId: "x", visibility: "OPEN" }),
      projectActions.grantProjectAccessAction(alpha.slug, { projectId: "x", email: "a@b.co" }),
      projectActions.revokeProjectAccessAction(alpha.slug, { projectId: "x", accessId: "y" }),
    ]);
    for (const result of results) expect(result).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
    expect(await db.auditEvent.count({ where: { orgId: org.id } })).toBe(0);
  });

  it("refuse another org's admin and another team's admin, changing nothing", async () => {
    const { org, alpha } = await makeOrg();
    const other = await makeOrg();
    currentCaller = other.as.orgAdmin;
    expect(await orgActions.addOrgMemberAction(org.slug, { email: "x@example.com" })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(
      await teamActions.renameTeamAction(org.slug, { teamId: alpha.id, name: "Hijacked" }),
    ).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(
      await teamActions.renameTeamAction(other.org.slug, { teamId: alpha.id, name: "Hijacked" }),
    ).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(
      await teamActions.addTeamMemberAction(alpha.slug, { email: other.people.orgMember.email }),
    ).toMatchObject({
      code: "FORBIDDEN",
    });

    const sameOrg = await makeOrg();
    currentCaller = sameOrg.as.betaAdmin;
    expect(
      await teamActions.changeTeamMemberRoleAction(sameOrg.alpha.slug, {
        userId: sameOrg.people.alphaMember.id,
        role: "ADMIN",
      }),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await projectActions.createProjectAction(sameOrg.alpha.slug, { name: "sneaky" })).toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await db.team.findUniqueOrThrow({ where: { id: alpha.id } })).toMatchObject({ name: "Alpha" });
    expect(await db.project.count({ where: { name: "sneaky" } })).toBe(0);
  });

  it("refuse malformed arguments with a clear result, never an exception", async () => {
    const { org, as } = await makeOrg();
    currentCaller = as.orgAdmin;
    expect(await teamActions.createTeamAction(org.slug, { slug: 42, name: null })).toMatchObject({
      ok: false,
      code: "INVALID",
      fieldErrors: { slug: expect.any(String) as string, name: expect.any(String) as string },
    });
    expect(
      await teamActions.createTeamAction({ evil: true } as unknown as string, { slug: "ok-team", name: "x" }),
    ).toMatchObject({
      ok: false,
      code: "NOT_FOUND",
    });
  });
});

describe("service account actions", () => {
  it("refuse calls naming another team's or org's accounts and keys, changing nothing", async () => {
    const saActions = await import("@/lib/service-accounts/actions");
    const { createServiceAccountFromForm, createApiKeyFromForm } = await import("@/lib/service-accounts");
    const w = await makeOrg();
    const other = await makeOrg();
    const { id } = await createServiceAccountFromForm(
      w.as.alphaAdmin,
      { teamSlug: w.alpha.slug },
      { name: "ci-training" },
    );
    const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "ci" });

    for (const caller of [w.as.betaAdmin, other.as.orgAdmin]) {
      currentCaller = caller;
      const results = await Promise.all([
        saActions.createServiceAccountAction({ teamSlug: w.alpha.slug }, { name: "sneaky" }),
        saActions.createServiceAccountAction(
          { orgSlug: w.org.slug },
          { name: "sneaky", defaultTeam: w.alpha.slug },
        ),
        saActions.updateServiceAccountAction(id, { name: "renamed", description: "", role: "ADMIN" }),
        saActions.setServiceAccountStatusAction(id, { status: "DISABLED" }),
        saActions.deleteServiceAccountAction(id, { confirmName: "ci-training" }),
        saActions.createApiKeyAction(id, { name: "stolen" }),
        saActions.revokeApiKeyAction(id, key.id),
        saActions.listServiceAccountsAction({ teamSlug: w.alpha.slug }, {}),
      ]);
      for (const result of results) {
        expect(result.ok).toBe(false);
        expect(["FORBIDDEN", "NOT_FOUND"]).toContain((result as { code: string }).code);
      }
    }
    currentCaller = w.as.alphaMember;
    expect(await saActions.createApiKeyAction(id, { name: "member-key" })).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
    });
    currentCaller = null;
    expect(await saActions.createApiKeyAction(id, { name: "anon" })).toMatchObject({
      ok: false,
      code: "UNAUTHENTICATED",
    });

    expect(await db.serviceAccount.findUniqueOrThrow({ where: { id } })).toMatchObject({
      name: "ci-training",
      status: "ACTIVE",
      deletedAt: null,
    });
    expect(await db.apiKey.count({ where: { serviceAccountId: id, revokedAt: null } })).toBe(1);
    expect(await db.serviceAccount.count({ where: { name: "sneaky" } })).toBe(0);
  });
});

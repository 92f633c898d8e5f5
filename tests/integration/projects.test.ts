import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import {
  changeProjectVisibility,
  createProject,
  grantProjectAccess,
  listProjects,
  revokeProjectAccess,
} from "@/lib/projects/data";
import { auditActions, makeOrg } from "../support/factories";
import { codeOf } from "../support/app-error";

describe("projects", () => {
  it("lets team members create projects (TEAM by default) and refuses duplicates", async () => {
    const { org, alpha, as } = await makeOrg();
    await createProject(as.alphaMember, alpha.slug, { name: "training" });
    expect(
      await db.project.findFirstOrThrow({ where: { teamId: alpha.id, name: "training" } }),
    ).toMatchObject({
      visibility: "TEAM",
    });
    expect(await codeOf(createProject(as.alphaMember, alpha.slug, { name: "training" }))).toBe("CONFLICT");
    expect(await codeOf(createProject(as.alphaViewer, alpha.slug, { name: "other" }))).toBe("FORBIDDEN");
    expect(await codeOf(createProject(as.betaAdmin, alpha.slug, { name: "other" }))).toBe("FORBIDDEN");
    const bad = await createProject(as.alphaMember, alpha.slug, {
      name: "has space",
      visibility: "SECRET",
    }).catch((e: unknown) => e);
    expect(Object.keys((bad as AppError).fieldErrors ?? {}).sort()).toEqual(["name", "visibility"]);
    expect(await auditActions(org.id)).toEqual(["project.created"]);
  });

  it("changes visibility for team admins only, audited", async () => {
    const { org, alpha, beta, as } = await makeOrg();
    const other = await makeOrg();
    const { id } = await createProject(as.alphaAdmin, alpha.slug, { name: "models" });
    await changeProjectVisibility(as.alphaAdmin, alpha.slug, { projectId: id, visibility: "PUBLIC" });
    expect((await db.project.findUniqueOrThrow({ where: { id } })).visibility).toBe("PUBLIC");
    for (const caller of [as.alphaMember, as.alphaViewer, as.betaAdmin, other.as.orgAdmin]) {
      expect(
        await codeOf(changeProjectVisibility(caller, alpha.slug, { projectId: id, visibility: "OPEN" })),
      ).toBe("FORBIDDEN");
    }
    // Naming a team one administers with another team's project id changes nothing.
    expect(
      await codeOf(changeProjectVisibility(as.betaAdmin, beta.slug, { projectId: id, visibility: "OPEN" })),
    ).toBe("NOT_FOUND");
    expect((await db.project.findUniqueOrThrow({ where: { id } })).visibility).toBe("PUBLIC");
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "project.visibility_changed" },
    });
    expect(event.metadata).toEqual({ from: "TEAM", to: "PUBLIC" });
  });

  it("manages the access list of restricted projects and hides them from others", async () => {
    const { org, alpha, as, people } = await makeOrg();
    const { id } = await createProject(as.alphaAdmin, alpha.slug, {
      name: "secret-eval",
      visibility: "RESTRICTED",
    });
    const names = async (caller: typeof as.alphaMember) =>
      (await listProjects(caller, alpha.slug)).map((p) => p.name);
    expect(await names(as.alphaMember)).toEqual([]);
    expect(await names(as.alphaAdmin)).toEqual(["secret-eval"]);

    await grantProjectAccess(as.alphaAdmin, alpha.slug, { projectId: id, email: people.alphaMember.email });
    expect(await names(as.alphaMember)).toEqual(["secret-eval"]);
    expect(
      await codeOf(
        grantProjectAccess(as.alphaAdmin, alpha.slug, { projectId: id, email: people.alphaMember.email }),
      ),
    ).toBe("CONFLICT");
    expect(
      await codeOf(
        grantProjectAccess(as.alphaMember, alpha.slug, { projectId: id, email: people.orgMember.email }),
      ),
    ).toBe("FORBIDDEN");

    const grant = await db.projectAccess.findFirstOrThrow({
      where: { projectId: id, userId: people.alphaMember.id },
    });
    await revokeProjectAccess(as.alphaAdmin, alpha.slug, { projectId: id, accessId: grant.id });
    expect(await names(as.alphaMember)).toEqual([]);
    expect(await auditActions(org.id)).toEqual(
      expect.arrayContaining(["project.access_granted", "project.access_removed"]),
    );
  });

  it("keeps access lists for restricted projects only", async () => {
    const { alpha, as, people } = await makeOrg();
    const { id } = await createProject(as.alphaAdmin, alpha.slug, { name: "open-bench", visibility: "OPEN" });
    const error = await grantProjectAccess(as.alphaAdmin, alpha.slug, {
      projectId: id,
      email: people.orgMember.email,
    }).catch((e: unknown) => e);
    expect((error as AppError).message).toMatch(/Make the project Restricted first/);
  });
});

describe("service accounts on restricted projects", () => {
  it("grants org-scoped accounts and the team's own accounts, refuses other teams' accounts, audited", async () => {
    const { createServiceAccountFromForm } = await import("@/lib/service-accounts");
    const { searchGrantCandidates } = await import("@/lib/projects/grant-candidates");
    const { org, alpha, beta, as } = await makeOrg();
    const { id } = await createProject(as.alphaAdmin, alpha.slug, {
      name: "secret",
      visibility: "RESTRICTED",
    });
    await createServiceAccountFromForm(
      as.orgAdmin,
      { orgSlug: org.slug },
      { name: "org-wide", defaultTeam: beta.slug },
    );
    await createServiceAccountFromForm(as.alphaAdmin, { teamSlug: alpha.slug }, { name: "alpha-ci" });
    await createServiceAccountFromForm(as.betaAdmin, { teamSlug: beta.slug }, { name: "beta-ci" });

    const offered = await searchGrantCandidates(as.alphaAdmin, alpha.slug, {
      projectId: id,
      kind: "service_account",
      query: "",
    });
    expect(offered.candidates.map((a) => a.value).sort()).toEqual(["alpha-ci", "org-wide"]);
    await grantProjectAccess(as.alphaAdmin, alpha.slug, { projectId: id, serviceAccount: "org-wide" });
    await grantProjectAccess(as.alphaAdmin, alpha.slug, { projectId: id, serviceAccount: "alpha-ci" });
    const error = await grantProjectAccess(as.alphaAdmin, alpha.slug, {
      projectId: id,
      serviceAccount: "beta-ci",
    }).catch((e: unknown) => e);
    expect((error as AppError).message).toMatch(/belongs to another team/);
    expect(
      await codeOf(
        grantProjectAccess(as.alphaAdmin, alpha.slug, { projectId: id, serviceAccount: "org-wide" }),
      ),
    ).toBe("CONFLICT");
    expect(
      await codeOf(
        grantProjectAccess(as.alphaMember, alpha.slug, { projectId: id, serviceAccount: "alpha-ci" }),
      ),
    ).toBe("FORBIDDEN");
    const listed = (await listProjects(as.alphaAdmin, alpha.slug)).find((p) => p.name === "secret")!;
    expect(listed.access.map((a) => [a.kind, a.label]).sort()).toEqual([
      ["service_account", "alpha-ci"],
      ["service_account", "org-wide"],
      ["user", as.alphaAdmin.user.email],
    ]);
    await revokeProjectAccess(as.alphaAdmin, alpha.slug, {
      projectId: id,
      accessId: listed.access.find((a) => a.label === "org-wide")!.id,
    });
    const events = await db.auditEvent.findMany({
      where: { orgId: org.id, action: { startsWith: "project.access_" } },
    });
    expect(events.map((e) => [e.action, e.metadata])).toEqual(
      expect.arrayContaining([
        [
          "project.access_granted",
          { principalType: "service_account", principal: `org-wide@${org.slug}.sa.deputy.local` },
        ],
        [
          "project.access_removed",
          { principalType: "service_account", principal: `org-wide@${org.slug}.sa.deputy.local` },
        ],
      ]),
    );
  });
});

describe("project runs in the console", () => {
  it("shows runs to people who may see the project, with creator identity and attribution", async () => {
    const { getProjectRuns } = await import("@/lib/projects/data");
    const { org, alpha, as, people } = await makeOrg();
    const other = await makeOrg();
    const project = await db.project.create({
      data: { teamId: alpha.id, name: "models", visibility: "TEAM" },
    });
    await db.run.create({
      data: {
        projectId: project.id,
        name: "nightly",
        createdByType: "SERVICE_ACCOUNT",
        createdById: "sa",
        createdByIdentity: `ci@${org.slug}.sa.deputy.local`,
        attributedToUserId: people.alphaMember.id,
      },
    });
    const seen = await getProjectRuns(as.alphaViewer, alpha.slug, "models");
    expect(seen.runs).toEqual([
      expect.objectContaining({
        name: "nightly",
        createdBy: `ci@${org.slug}.sa.deputy.local`,
        isAutomated: true,
        attributedTo: people.alphaMember.email,
      }),
    ]);
    expect(await codeOf(getProjectRuns(as.orgMember, alpha.slug, "models"))).toBe("NOT_FOUND");
    expect(await codeOf(getProjectRuns(other.as.orgAdmin, alpha.slug, "models"))).toBe("FORBIDDEN");
    expect(await codeOf(getProjectRuns(as.orgAdmin, alpha.slug, "models"))).toBe("OK");
  });
});

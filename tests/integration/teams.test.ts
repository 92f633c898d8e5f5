import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import {
  addTeamMember,
  changeTeamMemberRole,
  createTeam,
  deleteTeam,
  listTeamMembers,
  removeTeamMember,
  renameTeam,
} from "@/lib/teams/data";
import { auditActions, makeOrg, makeUser } from "../support/factories";
import { codeOf } from "../support/app-error";

describe("teams", () => {
  it("creates a team, audited", async () => {
    const { org, as } = await makeOrg();
    expect(await createTeam(as.orgAdmin, org.slug, { slug: "vision", name: "Vision" })).toEqual({
      slug: "vision",
    });
    expect(await db.team.findUniqueOrThrow({ where: { slug: "vision" } })).toMatchObject({
      orgId: org.id,
      name: "Vision",
    });
    expect(await auditActions(org.id)).toContain("team.created");
  });

  it("refuses reserved and malformed slugs with a field error", async () => {
    const { org, as } = await makeOrg();
    for (const slug of ["settings", "api", "org", "login", "Bad Slug", "x"]) {
      const error = await createTeam(as.orgAdmin, org.slug, { slug, name: "Team" }).catch((e: unknown) => e);
      expect((error as AppError).code).toBe("INVALID");
      expect((error as AppError).fieldErrors?.slug).toBeTruthy();
    }
    expect(await db.team.count({ where: { orgId: org.id } })).toBe(2);
  });

  it("keeps slugs unique across the whole instance", async () => {
    const first = await makeOrg();
    const second = await makeOrg();
    await createTeam(first.as.orgAdmin, first.org.slug, { slug: "shared-name", name: "A" });
    const error = await createTeam(second.as.orgAdmin, second.org.slug, {
      slug: "shared-name",
      name: "B",
    }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe("CONFLICT");
    expect((error as AppError).fieldErrors).toEqual({ slug: "Already taken." });
  });

  it("renames the display name only, and deletes only empty teams", async () => {
    const { org, alpha, beta, as } = await makeOrg();
    await renameTeam(as.orgAdmin, org.slug, { teamId: alpha.id, name: "Alpha Squad" });
    expect(await db.team.findUniqueOrThrow({ where: { id: alpha.id } })).toMatchObject({
      name: "Alpha Squad",
      slug: alpha.slug,
    });

    await db.project.create({ data: { teamId: beta.id, name: "p" } });
    const error = await deleteTeam(as.orgAdmin, org.slug, { teamId: beta.id }).catch((e: unknown) => e);
    expect((error as AppError).code).toBe("CONFLICT");
    expect((error as AppError).message).toMatch(/still has 1 project/);

    const sa = await db.serviceAccount.create({
      data: { orgId: org.id, teamId: alpha.id, scope: "TEAM", name: "ci" },
    });
    expect(await codeOf(deleteTeam(as.orgAdmin, org.slug, { teamId: alpha.id }))).toBe("CONFLICT");
    // A deleted account does not keep a team alive; its audit history stays in the log.
    await db.serviceAccount.update({ where: { id: sa.id }, data: { deletedAt: new Date() } });
    await deleteTeam(as.orgAdmin, org.slug, { teamId: alpha.id });
    expect(await db.team.findUnique({ where: { id: alpha.id } })).toBeNull();
    expect(await auditActions(org.id)).toEqual(expect.arrayContaining(["team.renamed", "team.deleted"]));
  });

  it("refuses team management to anyone but this org's admins, and ids from another org", async () => {
    const { org, alpha, as } = await makeOrg();
    const other = await makeOrg();
    for (const caller of [as.alphaAdmin, as.orgMember, other.as.orgAdmin]) {
      expect(await codeOf(createTeam(caller, org.slug, { slug: "newteam", name: "N" }))).toBe("FORBIDDEN");
      expect(await codeOf(renameTeam(caller, org.slug, { teamId: alpha.id, name: "N" }))).toBe("FORBIDDEN");
      expect(await codeOf(deleteTeam(caller, org.slug, { teamId: alpha.id }))).toBe("FORBIDDEN");
    }
    // Another org's admin naming their own org but this org's team id: not found, nothing changes.
    expect(
      await codeOf(renameTeam(other.as.orgAdmin, other.org.slug, { teamId: alpha.id, name: "Hijacked" })),
    ).toBe("NOT_FOUND");
    expect(await codeOf(deleteTeam(other.as.orgAdmin, other.org.slug, { teamId: alpha.id }))).toBe(
      "NOT_FOUND",
    );
    expect(await db.team.findUniqueOrThrow({ where: { id: alpha.id } })).toMatchObject({ name: "Alpha" });
  });
});

describe("team members", () => {
  it("lets a team admin add an org member, change the role and remove them, audited", async () => {
    const { org, alpha, as, people } = await makeOrg();
    await addTeamMember(as.alphaAdmin, alpha.slug, { email: people.orgMember.email, role: "VIEWER" });
    expect(
      await db.teamMembership.findFirst({ where: { teamId: alpha.id, userId: people.orgMember.id } }),
    ).toMatchObject({
      role: "VIEWER",
    });
    await changeTeamMemberRole(as.alphaAdmin, alpha.slug, { userId: people.orgMember.id, role: "ADMIN" });
    await removeTeamMember(as.alphaAdmin, alpha.slug, { userId: people.orgMember.id });
    expect(await db.teamMembership.count({ where: { teamId: alpha.id, userId: people.orgMember.id } })).toBe(
      0,
    );
    expect(await auditActions(org.id)).toEqual(
      expect.arrayContaining(["team.member_added", "team.member_role_changed", "team.member_removed"]),
    );
  });

  it("refuses people outside the organization", async () => {
    const { alpha, as } = await makeOrg();
    const stranger = await makeUser();
    const error = await addTeamMember(as.alphaAdmin, alpha.slug, { email: stranger.email }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).message).toMatch(/is not a member of/);
  });

  it("lets members and viewers read the list but not change it; other teams' admins get nothing", async () => {
    const { alpha, as, people } = await makeOrg();
    const other = await makeOrg();
    expect(await listTeamMembers(as.alphaViewer, alpha.slug)).toHaveLength(3);
    for (const caller of [as.alphaMember, as.alphaViewer, as.betaAdmin, as.orgMember, other.as.orgAdmin]) {
      expect(await codeOf(addTeamMember(caller, alpha.slug, { email: people.orgMember.email }))).toBe(
        "FORBIDDEN",
      );
      expect(
        await codeOf(
          changeTeamMemberRole(caller, alpha.slug, { userId: people.alphaMember.id, role: "ADMIN" }),
        ),
      ).toBe("FORBIDDEN");
      expect(await codeOf(removeTeamMember(caller, alpha.slug, { userId: people.alphaMember.id }))).toBe(
        "FORBIDDEN",
      );
    }
    for (const caller of [as.betaAdmin, as.orgMember, other.as.orgAdmin]) {
      expect(await codeOf(listTeamMembers(caller, alpha.slug))).toBe("FORBIDDEN");
    }
    // The org admin manages every team of the org.
    expect(
      await codeOf(
        changeTeamMemberRole(as.orgAdmin, alpha.slug, { userId: people.alphaMember.id, role: "VIEWER" }),
      ),
    ).toBe("OK");
  });
});

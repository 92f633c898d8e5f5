import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { verifyPassword } from "@/lib/auth/password";
import { addOrgMember, changeOrgMemberRole, listOrgMembers, removeOrgMember } from "@/lib/orgs/members";
import { countSeatsUsed } from "@/lib/orgs/overview";
import { updateOrgSettings } from "@/lib/orgs/settings";
import { createFirstOrganization, isSetUp } from "@/lib/orgs/setup";
import { AppError } from "@/lib/errors";
import { auditActions, makeOrg } from "../support/factories";
import { codeOf } from "../support/app-error";

const source = { ip: "198.51.100.1", userAgent: "vitest" };

describe("setup", () => {
  it("creates the first org and admin with audit events, then closes for good", async () => {
    expect(await isSetUp()).toBe(false);
    const created = await createFirstOrganization(
      {
        orgName: "Example Inc",
        orgSlug: "example",
        name: "Ada",
        email: "Ada@Example.com",
        password: "a long enough password",
      },
      source,
    );
    expect(created).toEqual({ orgSlug: "example", email: "ada@example.com" });
    expect(await isSetUp()).toBe(true);

    const user = await db.user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    expect(user.passwordHash).not.toContain("a long enough password");
    expect(await verifyPassword("a long enough password", user.passwordHash)).toBe(true);
    const org = await db.organization.findUniqueOrThrow({ where: { slug: "example" } });
    expect(await db.orgMembership.findFirst({ where: { orgId: org.id, userId: user.id } })).toMatchObject({
      role: "ADMIN",
    });
    expect(await auditActions(org.id)).toEqual(["org.created", "org.member_added"]);

    const again = createFirstOrganization(
      {
        orgName: "Evil",
        orgSlug: "evil",
        name: "Eve",
        email: "eve@example.com",
        password: "a long enough password",
      },
      source,
    );
    expect(await codeOf(again)).toBe("CONFLICT");
    expect(await db.organization.count()).toBe(1);
  });

  it("refuses bad input with field errors and writes nothing", async () => {
    const error = await createFirstOrganization(
      { orgName: "", orgSlug: "api", name: "x", email: "not-an-email", password: "short" },
      source,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(Object.keys((error as AppError).fieldErrors ?? {}).sort()).toEqual([
      "email",
      "orgName",
      "orgSlug",
      "password",
    ]);
  });
});

describe("org members", () => {
  it("adds a new person with a one-time password stored only as a hash, audited", async () => {
    const { org, as } = await makeOrg();
    const result = await addOrgMember(as.orgAdmin, org.slug, {
      email: "New.Person@Example.com",
      role: "MEMBER",
    });
    expect(result.email).toBe("new.person@example.com");
    expect(result.oneTimePassword).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const user = await db.user.findUniqueOrThrow({ where: { email: "new.person@example.com" } });
    expect(user.mustChangePassword).toBe(true);
    expect(user.passwordHash).not.toContain(result.oneTimePassword!);
    expect(await verifyPassword(result.oneTimePassword!, user.passwordHash)).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "org.member_added" },
    });
    expect(event).toMatchObject({
      actorType: "USER",
      actorIdentity: as.orgAdmin.user.email,
      ip: "203.0.113.7",
    });
    expect(JSON.stringify(event.metadata)).not.toContain(result.oneTimePassword!);
  });

  it("adds an existing user without a new password, and refuses a duplicate", async () => {
    const first = await makeOrg();
    const second = await makeOrg();
    const existing = first.people.alphaMember;
    const result = await addOrgMember(second.as.orgAdmin, second.org.slug, {
      email: existing.email,
      role: "ADMIN",
    });
    expect(result.oneTimePassword).toBeNull();
    expect(await codeOf(addOrgMember(second.as.orgAdmin, second.org.slug, { email: existing.email }))).toBe(
      "CONFLICT",
    );
  });

  it("refuses to add past the seat limit, counting humans only", async () => {
    const { org, alpha, as } = await makeOrg({ seatLimit: 7 });
    // Service accounts never take a seat, however many there are.
    for (let i = 0; i < 5; i++) {
      await db.serviceAccount.create({
        data: { orgId: org.id, teamId: alpha.id, scope: "TEAM", name: `sa-${i}` },
      });
    }
    expect(await countSeatsUsed(org.id)).toBe(6);
    await addOrgMember(as.orgAdmin, org.slug, { email: "seven@example.com" });
    const error = await addOrgMember(as.orgAdmin, org.slug, { email: "eight@example.com" }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).code).toBe("LIMIT_REACHED");
    expect((error as AppError).message).toMatch(/All 7 seats are in use/);
    expect(await db.user.findUnique({ where: { email: "eight@example.com" } })).toBeNull();
    expect(await countSeatsUsed(org.id)).toBe(7);
  });

  it("lets only this org's admins manage members", async () => {
    const { org, as } = await makeOrg();
    const other = await makeOrg();
    for (const caller of [as.orgMember, as.alphaAdmin, as.alphaViewer, other.as.orgAdmin]) {
      expect(await codeOf(addOrgMember(caller, org.slug, { email: "x@example.com" }))).toBe("FORBIDDEN");
      expect(await codeOf(listOrgMembers(caller, org.slug))).toBe("FORBIDDEN");
      expect(
        await codeOf(changeOrgMemberRole(caller, org.slug, { userId: caller.user.id, role: "ADMIN" })),
      ).toBe("FORBIDDEN");
    }
    expect(await codeOf(addOrgMember(as.orgAdmin, "no-such-org", { email: "x@example.com" }))).toBe(
      "NOT_FOUND",
    );
  });

  it("changes roles and applies them on the next call, audited", async () => {
    const { org, as, people } = await makeOrg();
    expect(await codeOf(listOrgMembers(as.orgMember, org.slug))).toBe("FORBIDDEN");
    await changeOrgMemberRole(as.orgAdmin, org.slug, { userId: people.orgMember.id, role: "ADMIN" });
    expect(await codeOf(listOrgMembers(as.orgMember, org.slug))).toBe("OK");
    await changeOrgMemberRole(as.orgAdmin, org.slug, { userId: people.orgMember.id, role: "MEMBER" });
    expect(await codeOf(listOrgMembers(as.orgMember, org.slug))).toBe("FORBIDDEN");
    expect((await auditActions(org.id)).filter((a) => a === "org.member_role_changed")).toHaveLength(2);
  });

  it("never leaves an org without an admin", async () => {
    const { org, as, people } = await makeOrg();
    expect(
      await codeOf(
        changeOrgMemberRole(as.orgAdmin, org.slug, { userId: people.orgAdmin.id, role: "MEMBER" }),
      ),
    ).toBe("CONFLICT");
    expect(await codeOf(removeOrgMember(as.orgAdmin, org.slug, { userId: people.orgAdmin.id }))).toBe(
      "CONFLICT",
    );
  });

  it("removes a person with their team roles and project grants in this org", async () => {
    const { org, alpha, as, people } = await makeOrg();
    const project = await db.project.create({
      data: { teamId: alpha.id, name: "secret", visibility: "RESTRICTED" },
    });
    await db.projectAccess.create({ data: { projectId: project.id, userId: people.alphaMember.id } });
    await removeOrgMember(as.orgAdmin, org.slug, { userId: people.alphaMember.id });
    expect(await db.orgMembership.count({ where: { userId: people.alphaMember.id } })).toBe(0);
    expect(await db.teamMembership.count({ where: { userId: people.alphaMember.id } })).toBe(0);
    expect(await db.projectAccess.count({ where: { userId: people.alphaMember.id } })).toBe(0);
    expect(await auditActions(org.id)).toContain("org.member_removed");
    // A removed person loses the dashboard on their very next request.
    expect(await codeOf(removeOrgMember(as.alphaMember, org.slug, { userId: people.orgMember.id }))).toBe(
      "FORBIDDEN",
    );
  });
});

describe("org settings", () => {
  it("saves seat limit and quotas, audited with the changes", async () => {
    const { org, as } = await makeOrg();
    await updateOrgSettings(as.orgAdmin, org.slug, {
      name: "Renamed",
      seatLimit: "20",
      maxServiceAccounts: "5",
      maxKeysPerAccount: "",
      maxKeyLifetimeDays: "90",
    });
    expect(await db.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({
      name: "Renamed",
      seatLimit: 20,
      maxServiceAccounts: 5,
      maxKeysPerAccount: null,
      maxKeyLifetimeDays: 90,
    });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "org.settings_changed" },
    });
    expect(event.metadata).toEqual({
      changes: {
        name: { from: org.name, to: "Renamed" },
        seatLimit: { from: 50, to: 20 },
        maxServiceAccounts: { from: null, to: 5 },
        maxKeyLifetimeDays: { from: null, to: 90 },
      },
    });
  });

  it("refuses a seat limit below the seats in use, and bad numbers", async () => {
    const { org, as } = await makeOrg();
    const error = await updateOrgSettings(as.orgAdmin, org.slug, { name: "x", seatLimit: 3 }).catch(
      (e: unknown) => e,
    );
    expect((error as AppError).message).toMatch(/6 people hold seats now/);
    const bad = await updateOrgSettings(as.orgAdmin, org.slug, {
      name: "x",
      seatLimit: "many",
      maxKeysPerAccount: "-1",
    }).catch((e: unknown) => e);
    expect((bad as AppError).fieldErrors).toMatchObject({
      seatLimit: "Seat limit must be a number.",
      maxKeysPerAccount: "Maximum keys per account must be at least 1, or empty for no limit.",
    });
    expect(await codeOf(updateOrgSettings(as.alphaAdmin, org.slug, { name: "x", seatLimit: 10 }))).toBe(
      "FORBIDDEN",
    );
  });
});

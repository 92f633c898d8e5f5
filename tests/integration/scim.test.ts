// SCIM 2.0 (rule 35) over real HTTP: the request sequences Microsoft Entra ID and Okta document
// for their provisioning clients, replayed against /scim/v2 as production mounts it; malformed
// filters and bodies; tokens of another org; and racing creates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { generateScimToken, revokeScimToken } from "@/lib/scim/tokens";
import { openSession, sessionUser } from "@/lib/users/sessions";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

let server: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

type ScimAnswer = { status: number; body: Record<string, unknown>; headers: Headers };

async function scim(token: string | null, path: string, method = "GET", body?: unknown): Promise<ScimAnswer> {
  const response = await fetch(`${server.base}/scim/v2${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/scim+json" } : {}),
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 204)
    expect(response.headers.get("content-type")).toMatch(/^application\/scim\+json/);
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const q = (filter: string) => `?filter=${encodeURIComponent(filter)}`;

async function scimOrg(options: { seatLimit?: number } = {}) {
  const made = await makeOrg(options);
  const { token } = await generateScimToken(made.as.orgAdmin, made.org.slug);
  return { ...made, token };
}

async function auditOf(orgId: string, action: string) {
  return db.auditEvent.findMany({ where: { orgId, action }, orderBy: { createdAt: "asc" } });
}

describe("SCIM discovery", () => {
  it("serves ServiceProviderConfig, ResourceTypes and Schemas", async () => {
    const config = await scim(null, "/ServiceProviderConfig");
    expect(config.status).toBe(200);
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    const types = await scim(null, "/ResourceTypes");
    expect((types.body.Resources as { id: string }[]).map((r) => r.id)).toEqual(["User", "Group"]);
    expect((await scim(null, `/Schemas/${USER}`)).body).toMatchObject({ id: USER, name: "User" });
    expect((await scim(null, "/Schemas/nope")).status).toBe(404);
  });
});

describe("SCIM as Microsoft Entra ID provisions", () => {
  it("finds nobody, creates, links by filter, patches with capitalised ops and string booleans, deprovisions", async () => {
    const { org, token } = await scimOrg();
    const email = `entra-${Date.now()}@contoso.test`;

    const none = await scim(token, `/Users${q(`userName eq "${email}"`)}`);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim(token, "/Users", "POST", {
      schemas: [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: email,
      active: true,
      displayName: "Test User",
      emails: [{ primary: true, type: "work", value: email }],
      meta: { resourceType: "User" },
      name: { formatted: "Test User", familyName: "User", givenName: "Test" },
      roles: [],
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get("location")).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
    expect(created.body).toMatchObject({
      userName: email,
      active: true,
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    });
    const person = await db.user.findUniqueOrThrow({ where: { email } });
    expect(person.passwordHash).toBeNull();
    expect(await db.orgMembership.count({ where: { orgId: org.id, userId: id } })).toBe(1);

    const found = await scim(token, `/Users${q(`userName eq "${email.toUpperCase()}"`)}`);
    expect(found.body).toMatchObject({ totalResults: 1 });
    expect(
      (await scim(token, `/Users${q('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')}`)).body,
    ).toMatchObject({
      totalResults: 1,
    });

    const renamed = await scim(token, `/Users/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [
        { op: "Replace", path: "displayName", value: "Tess User" },
        {
          op: "Add",
          path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
          value: "Eng",
        },
      ],
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ displayName: "Tess User" });

    // Signed in, then deactivated the way Entra sends it: "Replace" and the string "False".
    const sessionId = await openSession(id, { method: "sso", ip: null, userAgent: "browser" });
    expect(await sessionUser(sessionId)).not.toBeNull();
    const off = await scim(token, `/Users/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ active: false });
    expect(await db.orgMembership.count({ where: { orgId: org.id, userId: id } })).toBe(0);
    expect(await sessionUser(sessionId)).toBeNull();
    // Still readable, as inactive, and re-activatable.
    expect((await scim(token, `/Users/${id}`)).body).toMatchObject({ active: false });
    const on = await scim(token, `/Users/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "Replace", value: { active: "True" } }],
    });
    expect(on.body).toMatchObject({ active: true });

    expect((await scim(token, `/Users/${id}`, "DELETE")).status).toBe(204);
    expect((await scim(token, `/Users/${id}`)).status).toBe(404);
    expect(await db.orgMembership.count({ where: { orgId: org.id, userId: id } })).toBe(0);

    const removed = await auditOf(org.id, "org.member_removed");
    expect(removed.length).toBe(2);
    expect(removed[0]).toMatchObject({ actorType: "SYSTEM", actorIdentity: "scim", targetId: id });
    expect((await auditOf(org.id, "user.updated"))[0]).toMatchObject({ actorIdentity: "scim" });
  });

  it("creates a group, adds and removes members with Entra's shapes, renames it", async () => {
    const { org, people, token } = await scimOrg();
    const none = await scim(
      token,
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "Data Science"')}`,
    );
    expect(none.body).toMatchObject({ totalResults: 0 });
    const group = await scim(token, "/Groups", "POST", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
      displayName: "Data Science",
      meta: { resourceType: "Group" },
      members: [],
    });
    expect(group.status).toBe(201);
    const id = group.body.id as string;
    const team = await db.team.findUniqueOrThrow({ where: { id } });
    expect(team).toMatchObject({ orgId: org.id, name: "Data Science" });
    expect(team.slug).toMatch(/^data-science(-\d+)?$/);

    const added = await scim(token, `/Groups/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [
        {
          op: "Add",
          path: "members",
          value: [{ value: people.orgMember.id }, { value: people.alphaMember.id }],
        },
      ],
    });
    expect(added.status).toBe(200);
    expect(await db.teamMembership.count({ where: { teamId: id } })).toBe(2);

    await scim(token, `/Groups/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "Remove", path: "members", value: [{ value: people.orgMember.id }] }],
    });
    expect((await db.teamMembership.findMany({ where: { teamId: id } })).map((m) => m.userId)).toEqual([
      people.alphaMember.id,
    ]);

    await scim(token, `/Groups/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "Replace", value: { id, displayName: "Data Science & ML" } }],
    });
    expect((await db.team.findUniqueOrThrow({ where: { id } })).name).toBe("Data Science & ML");
    const withMembers = await scim(token, `/Groups/${id}`);
    expect(withMembers.body.members).toEqual([expect.objectContaining({ value: people.alphaMember.id })]);
    const without = await scim(token, `/Groups/${id}?excludedAttributes=members`);
    expect(without.body.members).toBeUndefined();

    // Someone who is not an active member cannot be put in a group.
    const stranger = await makeOrg();
    const refused = await scim(token, `/Groups/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "Add", path: "members", value: [{ value: stranger.people.orgMember.id }] }],
    });
    expect(refused).toMatchObject({ status: 400, body: { schemas: [ERROR], scimType: "invalidValue" } });

    expect((await auditOf(org.id, "team.member_added")).every((e) => e.actorIdentity === "scim")).toBe(true);
    expect((await scim(token, `/Groups/${id}`, "DELETE")).status).toBe(204);
    expect(await db.team.count({ where: { id } })).toBe(0);
  });
});

describe("SCIM as Okta provisions", () => {
  it("searches with paging, creates, replaces with PUT, deactivates without a path, and manages groups", async () => {
    const { org, people, token } = await scimOrg();
    const email = `okta-${Date.now()}@example.test`;
    const search = await scim(token, `/Users${q(`userName eq "${email}"`)}&startIndex=1&count=100`);
    expect(search.body).toMatchObject({ totalResults: 0, startIndex: 1 });
    const body = {
      schemas: [USER],
      userName: email,
      name: { givenName: "Ada", familyName: "Lovelace" },
      emails: [{ primary: true, value: email, type: "work" }],
      displayName: "Ada Lovelace",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mz050nq",
      active: true,
    };
    const created = await scim(token, "/Users", "POST", body);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // The password Okta sends is not kept: people of a SCIM org sign in with single sign-on.
    expect((await db.user.findUniqueOrThrow({ where: { id } })).passwordHash).toBeNull();

    const again = await scim(token, "/Users", "POST", body);
    expect(again).toMatchObject({
      status: 409,
      body: { schemas: [ERROR], scimType: "uniqueness", status: "409" },
    });

    const put = await scim(token, `/Users/${id}`, "PUT", {
      ...body,
      id,
      name: { givenName: "Ada", familyName: "King" },
      displayName: "Ada King",
    });
    expect(put.body).toMatchObject({ displayName: "Ada King", active: true });

    const off = await scim(token, `/Users/${id}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(off.body).toMatchObject({ active: false });
    expect(await db.orgMembership.count({ where: { orgId: org.id, userId: id } })).toBe(0);

    // Paging over every person of the org: members and the deactivated one.
    const total = (await db.orgMembership.count({ where: { orgId: org.id } })) + 1;
    const first = await scim(token, "/Users?startIndex=1&count=2");
    expect(first.body).toMatchObject({ totalResults: total, itemsPerPage: 2, startIndex: 1 });
    const rest = await scim(token, `/Users?startIndex=3&count=100`);
    const ids = [
      ...(first.body.Resources as { id: string }[]),
      ...(rest.body.Resources as { id: string }[]),
    ].map((r) => r.id);
    expect(new Set(ids).size).toBe(total);
    expect(ids).toContain(id);
    expect((await scim(token, "/Users?count=0")).body).toMatchObject({ totalResults: total, Resources: [] });

    const group = await scim(token, "/Groups", "POST", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Okta Group",
      members: [],
    });
    const gid = group.body.id as string;
    await scim(token, `/Groups/${gid}`, "PATCH", {
      schemas: [PATCH],
      Operations: [
        {
          op: "add",
          path: "members",
          value: [{ value: people.orgMember.id, display: people.orgMember.email }],
        },
      ],
    });
    expect(await db.teamMembership.count({ where: { teamId: gid } })).toBe(1);
    await scim(token, `/Groups/${gid}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "remove", path: `members[value eq "${people.orgMember.id}"]` }],
    });
    expect(await db.teamMembership.count({ where: { teamId: gid } })).toBe(0);
    await scim(token, `/Groups/${gid}`, "PATCH", {
      schemas: [PATCH],
      Operations: [{ op: "replace", value: { id: gid, displayName: "Okta Group Renamed" } }],
    });
    expect((await scim(token, `/Groups${q('displayName eq "Okta Group Renamed"')}`)).body).toMatchObject({
      totalResults: 1,
    });
  });
});

describe("SCIM refuses", () => {
  it("malformed filters, bodies and patches with 400 and a scimType, never a 500", async () => {
    const { token, people } = await scimOrg();
    const cases: [string, string, unknown, string][] = [
      [`/Users${q("userName eq")}`, "GET", undefined, "invalidFilter"],
      [`/Users${q('userName co "a"')}`, "GET", undefined, "invalidFilter"],
      [`/Users${q('title eq "x"')}`, "GET", undefined, "invalidFilter"],
      [`/Users${q('userName eq "a" or userName eq "b"')}`, "GET", undefined, "invalidFilter"],
      [
        `/Users${q("(".repeat(600) + 'userName eq "a"' + ")".repeat(600))}`,
        "GET",
        undefined,
        "invalidFilter",
      ],
      [`/Groups${q("displayName eq 12")}`, "GET", undefined, "invalidFilter"],
      ["/Users?startIndex=abc", "GET", undefined, "invalidValue"],
      ["/Users", "POST", "{not json", "invalidSyntax"],
      ["/Users", "POST", { userName: "not an email" }, "invalidValue"],
      ["/Users", "POST", [], "invalidValue"],
      ["/Groups", "POST", { displayName: "" }, "invalidValue"],
      [`/Users/${people.orgMember.id}`, "PATCH", { Operations: [] }, "invalidSyntax"],
      [
        `/Users/${people.orgMember.id}`,
        "PATCH",
        { Operations: [{ op: "move", path: "x" }] },
        "invalidSyntax",
      ],
      [`/Users/${people.orgMember.id}`, "PATCH", { Operations: [{ op: "remove" }] }, "noTarget"],
      [
        `/Users/${people.orgMember.id}`,
        "PATCH",
        { Operations: [{ op: "replace", path: "emails[type eq", value: 1 }] },
        "invalidPath",
      ],
      [
        `/Users/${people.orgMember.id}`,
        "PATCH",
        { Operations: [{ op: "replace", path: "userName", value: "x" }] },
        "invalidValue",
      ],
    ];
    for (const [path, method, body, scimType] of cases) {
      const answer = await scim(token, path, method, body);
      expect([path, method, answer.status, answer.body.scimType]).toEqual([path, method, 400, scimType]);
      expect(answer.body.schemas).toEqual([ERROR]);
    }
  });

  it("another org's token, API keys at /scim/v2, SCIM tokens at /api/v1, revoked tokens", async () => {
    const mine = await scimOrg();
    const theirs = await scimOrg();
    expect((await scim(theirs.token, `/Users/${mine.people.orgMember.id}`)).status).toBe(404);
    expect((await scim(theirs.token, `/Groups/${mine.alpha.id}`)).status).toBe(404);
    expect(
      (
        await scim(theirs.token, `/Users/${mine.people.orgMember.id}`, "PATCH", {
          Operations: [{ op: "replace", value: { active: false } }],
        })
      ).status,
    ).toBe(404);
    expect((await scim(theirs.token, `/Groups/${mine.alpha.id}`, "DELETE")).status).toBe(404);
    expect(
      await db.orgMembership.count({ where: { orgId: mine.org.id, userId: mine.people.orgMember.id } }),
    ).toBe(1);

    const { id: accountId } = await createServiceAccountFromForm(
      mine.as.orgAdmin,
      { teamSlug: mine.alpha.slug },
      { name: `scim-probe-${Date.now()}` },
    );
    const key = (await createApiKeyFromForm(mine.as.orgAdmin, accountId, { name: "k" })).secret;
    const withKey = await scim(key, "/Users");
    expect(withKey.status).toBe(401);
    expect(withKey.body.detail).toMatch(/Only an org's SCIM token/);
    const api = await fetch(`${server.base}/api/v1/viewer`, {
      headers: { authorization: `Bearer ${mine.token}` },
    });
    expect(api.status).toBe(401);

    expect((await scim(null, "/Users")).status).toBe(401);
    await revokeScimToken(mine.as.orgAdmin, mine.org.slug);
    expect((await scim(mine.token, "/Users")).status).toBe(401);
    // Generating again replaces the other org's token only for that org.
    expect((await scim(theirs.token, "/Users")).status).toBe(200);
    const { token: second } = await generateScimToken(theirs.as.orgAdmin, theirs.org.slug);
    expect((await scim(theirs.token, "/Users")).status).toBe(401);
    expect((await scim(second, "/Users")).status).toBe(200);
  });

  it("a race of two creates for one email: one 201, one 409, one person", async () => {
    const { org, token } = await scimOrg();
    const email = `race-${Date.now()}@example.test`;
    const answers = await Promise.all(
      [1, 2].map(() => scim(token, "/Users", "POST", { schemas: [USER], userName: email, active: true })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await db.user.count({ where: { email } })).toBe(1);
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(await db.orgMembership.count({ where: { orgId: org.id, userId: user.id } })).toBe(1);
  });

  it("past the seat limit, with a clear message; the last admin is not deactivated", async () => {
    const { org, people, token } = await scimOrg({ seatLimit: 6 });
    const full = await scim(token, "/Users", "POST", {
      schemas: [USER],
      userName: `seat-${Date.now()}@example.test`,
    });
    expect(full.status).toBe(403);
    expect(full.body.detail).toMatch(/seats are in use/);
    const admin = await scim(token, `/Users/${people.orgAdmin.id}`, "PATCH", {
      Operations: [{ op: "replace", path: "active", value: false }],
    });
    expect(admin).toMatchObject({ status: 400, body: { scimType: "mutability" } });
    expect(await db.orgMembership.count({ where: { orgId: org.id, userId: people.orgAdmin.id } })).toBe(1);
  });
});

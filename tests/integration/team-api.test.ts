// Teams, team members, projects, project access and the org's people over real HTTP on the real
// database (SPEC §4, issue 16): rule 17 extended as a matrix, the answers, a pipeline bootstrapping
// a team end to end, and bad input (400 for malformed, 409 for conflicts, never 5xx).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startApiServer, type CallInit } from "../support/api-server";
import { makeUser } from "../support/factories";
import {
  TEAM_MATRIX,
  runTeamMatrix,
  seedTeamWorld,
  teamWorldSnapshot,
  type TeamWorld,
} from "../support/team-matrix";

let api: Awaited<ReturnType<typeof startApiServer>>;
// The matrix has a world of its own: its lists are exact, so no other test may add to it.
let m: TeamWorld;
let w: TeamWorld;

beforeAll(async () => {
  api = await startApiServer();
  m = await seedTeamWorld();
  w = await seedTeamWorld();
}, 60_000);
afterAll(() => api.close());

const admin = () => w.callers["org-admin"].key;
const teamAdmin = () => w.callers["team-admin"].key;
const identity = (name: string) => `${name}@${w.world.org.slug}.sa.deputy.local`;
const alpha = () => w.world.alpha.slug;

async function eventsOf(actorId: string) {
  return db.auditEvent.findMany({
    where: { actorId },
    orderBy: { createdAt: "asc" },
    select: { action: true, actorType: true, actorIdentity: true, targetName: true },
  });
}

describe("rule 17 extended: the team matrix", () => {
  it(`answers every caller × target × operation as written (${TEAM_MATRIX.trim().split("\n").length} cells)`, async () => {
    expect(await runTeamMatrix(m, api.call)).toEqual([]);
  }, 300_000);

  it("refuses a non-ADMIN account on an admin route before reading anything, naming its role", async () => {
    for (const path of ["/api/v1/teams/no-such-team", "/api/v1/teams", "/api/v1/members"]) {
      const answer = await api.call(path, { key: w.callers["team-viewer"].key });
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, 403, "forbidden"]);
      expect(answer.body.error?.message).toMatch(/Only ADMIN service accounts.*team-viewer is viewer/);
    }
  });
});

describe("teams, members, projects and grants", () => {
  it("bootstraps a team end to end from a pipeline: team, member, restricted project, account, grant, run", async () => {
    const slug = "bootstrap-ml";
    const team = await api.call("/api/v1/teams", { key: admin(), body: { slug, name: "Bootstrap ML" } });
    expect(team.status).toBe(201);
    expect(team.body.team).toEqual({
      slug,
      name: "Bootstrap ML",
      members: 0,
      projects: 0,
      serviceAccounts: 0,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) as string,
    });

    const person = w.world.people.orgMember.email;
    const added = await api.call(
      `/api/v1/teams/${slug}/members/${encodeURIComponent(person.toUpperCase())}`,
      {
        key: admin(),
        method: "PUT",
        body: { role: "Admin" },
      },
    );
    expect([added.status, added.body.member]).toEqual([
      201,
      { email: person, name: w.world.people.orgMember.name, role: "admin" },
    ]);
    const again = await api.call(`/api/v1/teams/${slug}/members/${encodeURIComponent(person)}`, {
      key: admin(),
      method: "PUT",
      body: {},
    });
    // Without a role, an existing member keeps theirs: a PUT never demotes by omission.
    expect([again.status, again.body.member]).toEqual([200, expect.objectContaining({ role: "admin" })]);

    const project = await api.call(`/api/v1/teams/${slug}/projects`, {
      key: admin(),
      body: { name: "secret-models", visibility: "RESTRICTED", description: "Weights" },
    });
    expect(project.status).toBe(201);
    expect(project.body.project).toEqual({
      team: slug,
      name: "secret-models",
      visibility: "restricted",
      description: "Weights",
      createdAt: expect.any(String) as string,
      runs: 0,
    });
    // Whoever creates a restricted project keeps access to it.
    const creatorAccess = await api.call(`/api/v1/projects/${slug}/secret-models/access`, { key: admin() });
    expect(creatorAccess.body.grants).toEqual([
      { type: "service_account", identity: identity("org-admin"), grantedAt: expect.any(String) as string },
    ]);

    const account = await api.call("/api/v1/service-accounts", {
      key: admin(),
      body: { name: "bootstrap-trainer", scope: "team", team: slug },
    });
    expect(account.status).toBe(201);
    const key = await api.call("/api/v1/service-accounts/bootstrap-trainer/keys", {
      key: admin(),
      body: { name: "ci" },
    });
    const secret = (key.body.key as { secret: string }).secret;
    const run = () =>
      api.call("/api/v1/runs", { key: secret, body: { entity: slug, project: "secret-models", name: "r1" } });
    const refused = await run();
    expect([refused.status, refused.body.error?.code]).toEqual([403, "restricted_project"]);

    const grant = await api.call(`/api/v1/projects/${slug}/secret-models/access/bootstrap-trainer`, {
      key: admin(),
      method: "PUT",
    });
    expect([grant.status, grant.body.grant]).toEqual([
      201,
      {
        type: "service_account",
        identity: identity("bootstrap-trainer"),
        grantedAt: expect.any(String) as string,
      },
    ]);
    expect((await run()).status).toBe(201);
    const listed = await api.call(`/api/v1/teams/${slug}/projects`, { key: secret });
    expect(listed.body.projects).toEqual([expect.objectContaining({ name: "secret-models", runs: 1 })]);

    const events = await db.auditEvent.findMany({
      where: { actorId: w.callers["org-admin"].id, createdAt: { gte: new Date(Date.now() - 60_000) } },
      orderBy: { createdAt: "asc" },
      select: { action: true, actorIdentity: true },
    });
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        "team.created",
        "team.member_added",
        "project.created",
        "service_account.created",
        "api_key.created",
        "project.access_granted",
      ]),
    );
    expect(new Set(events.map((e) => e.actorIdentity))).toEqual(new Set([identity("org-admin")]));
  });

  it("grants and removes by display identity or email, and lists what it granted", async () => {
    const base = `/api/v1/projects/${alpha()}/restricted/access`;
    const grantee = `grantee@${w.world.org.slug}.sa.deputy.local`;
    const put = await api.call(`${base}/${encodeURIComponent(grantee)}`, { key: teamAdmin(), method: "PUT" });
    expect([put.status, put.body.grant]).toEqual([
      201,
      { type: "service_account", identity: grantee, grantedAt: expect.any(String) as string },
    ]);
    const list = await api.call(base, { key: teamAdmin() });
    expect((list.body.grants as { identity: string }[]).map((g) => g.identity)).toEqual([
      w.world.people.orgMember.email,
      grantee,
    ]);
    expect((await api.call(`${base}/grantee`, { key: teamAdmin(), method: "DELETE" })).status).toBe(204);
    const person = encodeURIComponent(w.world.people.orgMember.email);
    expect((await api.call(`${base}/${person}`, { key: teamAdmin(), method: "DELETE" })).status).toBe(204);
    expect((await api.call(base, { key: teamAdmin() })).body.grants).toEqual([]);
    for (const gone of [`${base}/grantee`, `${base}/${person}`]) {
      const answer = await api.call(gone, { key: teamAdmin(), method: "DELETE" });
      expect([answer.status, answer.body.error?.code]).toEqual([404, "not_found"]);
    }
    // The person again, by email: the world as the seed left it.
    const back = await api.call(`${base}/${person}`, { key: teamAdmin(), method: "PUT" });
    expect([back.status, back.body.grant]).toMatchObject([
      201,
      { type: "user", identity: w.world.people.orgMember.email },
    ]);
    expect(
      (await eventsOf(w.callers["team-admin"].id)).map((e) => [e.action, e.actorIdentity, e.targetName]),
    ).toEqual([
      ["project.access_granted", identity("team-admin"), `${alpha()}/restricted`],
      ["project.access_removed", identity("team-admin"), `${alpha()}/restricted`],
      ["project.access_removed", identity("team-admin"), `${alpha()}/restricted`],
      ["project.access_granted", identity("team-admin"), `${alpha()}/restricted`],
    ]);
  });

  it("changes a project's visibility and description, each change audited", async () => {
    await api.call(`/api/v1/teams/${alpha()}/projects`, { key: admin(), body: { name: "vis-change" } });
    const changed = await api.call(`/api/v1/projects/${alpha()}/vis-change`, {
      key: admin(),
      method: "PATCH",
      body: { visibility: "Public", description: "Now public" },
    });
    expect(changed.body.project).toMatchObject({ visibility: "public", description: "Now public" });
    const project = await db.project.findFirstOrThrow({
      where: { name: "vis-change", teamId: w.world.alpha.id },
    });
    const actions = await db.auditEvent.findMany({
      where: { targetId: project.id },
      orderBy: { createdAt: "asc" },
      select: { action: true, actorIdentity: true },
    });
    expect(actions).toEqual([
      { action: "project.created", actorIdentity: identity("org-admin") },
      { action: "project.visibility_changed", actorIdentity: identity("org-admin") },
      { action: "project.updated", actorIdentity: identity("org-admin") },
    ]);
  });

  it("lists the org's people with their teams to org-scoped ADMIN accounts, never another org's", async () => {
    const answer = await api.call("/api/v1/members", { key: admin() });
    expect(answer.status).toBe(200);
    const members = answer.body.members as {
      email: string;
      role: string;
      teams: { team: string; role: string }[];
    }[];
    const emails = members.map((p) => p.email);
    expect(emails).toEqual(expect.arrayContaining(Object.values(w.world.people).map((p) => p.email)));
    for (const person of Object.values(w.elsewhere.people)) expect(emails).not.toContain(person.email);
    expect(members.find((p) => p.email === w.world.people.orgAdmin.email)).toMatchObject({ role: "admin" });
    expect(members.find((p) => p.email === w.world.people.alphaAdmin.email)).toMatchObject({
      role: "member",
      teams: [{ team: alpha(), role: "admin" }],
    });
  });

  it("renames a key, audited, and answers the ApiKey without a secret", async () => {
    const holder = w.keyHolders.alpha;
    const answer = await api.call(`/api/v1/service-accounts/keys-alpha/keys/${holder.keyId}`, {
      key: teamAdmin(),
      method: "PATCH",
      body: { name: "github-actions" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.key).toMatchObject({ id: holder.keyId, name: "github-actions", status: "active" });
    expect(answer.text).not.toMatch(/secret|hash/i);
    const events = await db.auditEvent.findMany({
      where: { action: "api_key.renamed", targetId: holder.id },
      select: { actorIdentity: true, metadata: true },
    });
    expect(events).toEqual([
      {
        actorIdentity: identity("team-admin"),
        metadata: expect.objectContaining({ from: "held", to: "github-actions" }) as unknown,
      },
    ]);
  });
});

describe("bad input", () => {
  /** Calls each request as the org-scoped admin; expects `status code` and nothing changed or audited. */
  async function expectRefused(requests: [string, CallInit][], status: number, code: string) {
    const before = await teamWorldSnapshot(w);
    const events = await db.auditEvent.count();
    for (const [path, init] of requests) {
      const answer = await api.call(path, { key: admin(), ...init });
      const shown = `${init.method ?? (init.body !== undefined ? "POST" : "GET")} ${path} ${JSON.stringify(init.body)?.slice(0, 60)}`;
      expect([shown, answer.status, answer.body.error?.code]).toEqual([shown, status, code]);
    }
    expect(await teamWorldSnapshot(w)).toBe(before);
    expect(await db.auditEvent.count()).toBe(events);
  }

  it("refuses unknown fields and bodies that are not objects with 400", async () => {
    const email = encodeURIComponent(w.world.people.orgMember.email);
    await expectRefused(
      [
        ["/api/v1/teams", { body: { slug: "new-team", name: "New", description: "no such field" } }],
        ["/api/v1/teams", { body: [] }],
        ["/api/v1/teams", { body: "new-team" }],
        [`/api/v1/teams/${alpha()}`, { method: "PATCH", body: { name: "New", slug: "other-slug" } }],
        [`/api/v1/teams/${alpha()}/members/${email}`, { method: "PUT", body: { role: "member", team: "x" } }],
        [`/api/v1/teams/${alpha()}/projects`, { body: { name: "p1", owner: "me" } }],
        [`/api/v1/projects/${alpha()}/open`, { method: "PATCH", body: { visibility: "team", name: "x" } }],
        [
          `/api/v1/service-accounts/keys-alpha/keys/${w.keyHolders.alpha.keyId}`,
          { method: "PATCH", body: { name: "k", label: "no such field" } },
        ],
      ],
      400,
      "invalid_request",
    );
  });

  it("refuses bad slugs, names, roles, visibilities and over-long strings with 400", async () => {
    const slugs = [
      "a",
      "API",
      "api",
      "settings",
      "-lead",
      "trail-",
      "double--dash",
      "under_score",
      "s".repeat(41),
      "ünï",
    ];
    const projects = ["", "-dash-first", "has space", "p".repeat(65), "a/b"];
    const member = (email: string) => `/api/v1/teams/${alpha()}/members/${encodeURIComponent(email)}`;
    await expectRefused(
      [
        ...slugs.map((slug): [string, CallInit] => ["/api/v1/teams", { body: { slug, name: "Name" } }]),
        ["/api/v1/teams", { body: { slug: "fine-slug", name: "" } }],
        ["/api/v1/teams", { body: { slug: "fine-slug", name: "n".repeat(81) } }],
        ["/api/v1/teams", { body: { slug: "fine-slug" } }],
        ["/api/v1/teams/Not_A_Slug", {}],
        ["/api/v1/teams/api/members", {}],
        ["/api/v1/teams/x/projects", {}],
        [`/api/v1/teams/${alpha()}`, { method: "PATCH", body: { name: "n".repeat(81) } }],
        ...projects.map((name): [string, CallInit] => [
          `/api/v1/teams/${alpha()}/projects`,
          { body: { name } },
        ]),
        [`/api/v1/teams/${alpha()}/projects`, { body: { name: "ok-name", visibility: "secret" } }],
        [`/api/v1/teams/${alpha()}/projects`, { body: { name: "ok-name", description: "d".repeat(501) } }],
        [`/api/v1/projects/${alpha()}/has%20space`, {}],
        [`/api/v1/projects/${alpha()}/open`, { method: "PATCH", body: { visibility: "everyone" } }],
        [member(w.world.people.orgMember.email), { method: "PUT", body: { role: "owner" } }],
        [member("not-an-email"), { method: "PUT", body: { role: "member" } }],
        [member(`${"e".repeat(250)}@example.test`), { method: "DELETE" }],
        [`/api/v1/projects/${alpha()}/restricted/access/${"x".repeat(321)}`, { method: "PUT" }],
        [
          `/api/v1/service-accounts/keys-alpha/keys/${w.keyHolders.alpha.keyId}`,
          { method: "PATCH", body: { name: "k".repeat(65) } },
        ],
      ],
      400,
      "invalid_request",
    );
  });

  it("answers 409 for a team slug taken in this org or another, and for a project name taken in the team", async () => {
    await expectRefused(
      [
        ["/api/v1/teams", { body: { slug: w.world.beta.slug, name: "Again" } }],
        ["/api/v1/teams", { body: { slug: w.elsewhere.alpha.slug, name: "Theirs" } }],
        [`/api/v1/teams/${alpha()}/projects`, { body: { name: "open" } }],
      ],
      409,
      "conflict",
    );
  });

  it("deletes a team only once it holds no projects and no live service accounts (409 before)", async () => {
    const slug = "short-lived";
    expect((await api.call("/api/v1/teams", { key: admin(), body: { slug, name: "Short" } })).status).toBe(
      201,
    );
    const team = `/api/v1/teams/${slug}`;
    await api.call(`${team}/projects`, { key: admin(), body: { name: "only-project" } });
    await expectRefused([[team, { method: "DELETE" }]], 409, "conflict");
    expect(
      (await api.call(`/api/v1/projects/${slug}/only-project`, { key: admin(), method: "DELETE" })).status,
    ).toBe(204);

    for (const scope of ["team", "org"]) {
      const name = `lives-in-${scope}`;
      const made = await api.call("/api/v1/service-accounts", {
        key: admin(),
        body: { name, scope, team: slug },
      });
      expect(made.status).toBe(201);
      await expectRefused([[team, { method: "DELETE" }]], 409, "conflict");
      expect(
        (await api.call(`/api/v1/service-accounts/${name}`, { key: admin(), method: "DELETE" })).status,
      ).toBe(204);
    }
    // Deleted accounts do not hold the team.
    const gone = await api.call(team, { key: admin(), method: "DELETE" });
    expect(gone.status).toBe(204);
    expect(await db.team.count({ where: { slug } })).toBe(0);
    expect(
      await db.auditEvent.count({
        where: { action: "team.deleted", targetName: slug, actorIdentity: identity("org-admin") },
      }),
    ).toBe(1);
  });

  it("adds only people already in the organization to a team (400), and removes only members (404)", async () => {
    const stranger = await makeUser();
    const members = (email: string) => `/api/v1/teams/${alpha()}/members/${encodeURIComponent(email)}`;
    const requests: [string, CallInit][] = [
      [members("nobody@example.test"), { method: "PUT", body: { role: "member" } }],
      [members(stranger.email), { method: "PUT", body: { role: "member" } }],
      [members(w.elsewhere.people.orgMember.email), { method: "PUT", body: {} }],
    ];
    await expectRefused(requests, 400, "invalid_request");
    for (const [path, init] of requests) {
      const answer = await api.call(path, { ...init, key: teamAdmin() });
      expect([answer.status, answer.body.error?.message]).toEqual([
        400,
        expect.stringMatching(/not a member/),
      ]);
    }
    await expectRefused(
      [
        [members(w.world.people.orgMember.email), { method: "DELETE" }],
        [members(stranger.email), { method: "DELETE" }],
      ],
      404,
      "not_found",
    );
  });

  it("grants only restricted projects (400), eligible accounts (400), people of the org (400), once (409)", async () => {
    const access = (project: string, who: string) =>
      `/api/v1/projects/${alpha()}/${project}/access/${encodeURIComponent(who)}`;
    await expectRefused(
      [
        [access("open", "grantee"), { method: "PUT" }],
        [access("team", w.world.people.orgMember.email), { method: "PUT" }],
        // A team-scoped account of another team can never use this team's restricted project (rule 4).
        [access("restricted", "keys-beta"), { method: "PUT" }],
        [access("restricted", w.elsewhere.people.orgMember.email), { method: "PUT" }],
      ],
      400,
      "invalid_request",
    );
    await expectRefused(
      [
        [access("restricted", "no-such-account"), { method: "PUT" }],
        [access("restricted", "keys-other-org"), { method: "PUT" }],
        [access("no-such-project", "grantee"), { method: "PUT" }],
      ],
      404,
      "not_found",
    );
    expect((await api.call(access("restricted", "keys-alpha"), { key: admin(), method: "PUT" })).status).toBe(
      201,
    );
    await expectRefused(
      [
        [access("restricted", "keys-alpha"), { method: "PUT" }],
        [access("restricted", `keys-alpha@${w.world.org.slug}.sa.deputy.local`), { method: "PUT" }],
        [access("restricted", w.world.people.orgMember.email), { method: "PUT" }],
      ],
      409,
      "conflict",
    );
  });

  it("deletes a project only while it holds no runs (409 after)", async () => {
    await api.call(`/api/v1/teams/${alpha()}/projects`, { key: admin(), body: { name: "has-runs" } });
    const run = await api.call("/api/v1/runs", {
      key: w.callers["org-member"].key,
      body: { entity: alpha(), project: "has-runs", name: "first" },
    });
    expect(run.status).toBe(201);
    await expectRefused([[`/api/v1/projects/${alpha()}/has-runs`, { method: "DELETE" }]], 409, "conflict");
    await expectRefused(
      [[`/api/v1/projects/${alpha()}/has-runs`, { method: "DELETE", key: teamAdmin() }]],
      409,
      "conflict",
    );
  });
});

describe("racing requests (PostgreSQL lets them run side by side)", () => {
  it("answers the losers of parallel deletes 404 or 204 and of parallel PUTs 200, never 500 or 409", async () => {
    const race = async (path: string, init: { method: string; body?: unknown }) =>
      Promise.all(
        [0, 1, 2, 3].map(async () => {
          const response = await fetch(`${api.base}${path}`, {
            method: init.method,
            headers: { authorization: `Bearer ${admin()}`, "content-type": "application/json" },
            body: init.body === undefined ? undefined : JSON.stringify(init.body),
          });
          await response.text();
          return response.status;
        }),
      );
    const person = await makeUser();
    await db.orgMembership.create({ data: { orgId: w.world.org.id, userId: person.id, role: "MEMBER" } });
    const email = encodeURIComponent(person.email);
    // A PUT without a role adds as member, and never demotes an existing member.
    const lead = await makeUser();
    await db.orgMembership.create({ data: { orgId: w.world.org.id, userId: lead.id, role: "MEMBER" } });
    const leadPath = `/api/v1/teams/${alpha()}/members/${encodeURIComponent(lead.email)}`;
    expect((await api.call(leadPath, { key: admin(), method: "PUT", body: { role: "admin" } })).status).toBe(
      201,
    );
    const kept = await api.call(leadPath, { key: admin(), method: "PUT", body: {} });
    expect([kept.status, (kept.body.member as { role: string }).role]).toEqual([200, "admin"]);
    const put = await race(`/api/v1/teams/${alpha()}/members/${email}`, {
      method: "PUT",
      body: { role: "viewer" },
    });
    expect(put.sort()).toEqual([200, 200, 200, 201]);
    for (const status of await race(`/api/v1/teams/${alpha()}/members/${email}`, { method: "DELETE" }))
      expect([204, 404]).toContain(status);
    expect(
      (
        await api.call(`/api/v1/teams/${alpha()}/projects`, {
          key: admin(),
          body: { name: "race-r", visibility: "restricted" },
        })
      ).status,
    ).toBe(201);
    for (const status of await race(`/api/v1/projects/${alpha()}/race-r/access/grantee`, { method: "PUT" }))
      expect([201, 409]).toContain(status);
    for (const status of await race(`/api/v1/projects/${alpha()}/race-r/access/grantee`, {
      method: "DELETE",
    }))
      expect([204, 404]).toContain(status);
    for (const status of await race(`/api/v1/projects/${alpha()}/race-r`, { method: "DELETE" }))
      expect([204, 404]).toContain(status);
    const slug = `race-${Date.now().toString(36)}`;
    expect((await api.call("/api/v1/teams", { key: admin(), body: { slug, name: "Race" } })).status).toBe(
      201,
    );
    for (const status of await race(`/api/v1/teams/${slug}`, { method: "DELETE" }))
      expect([204, 404]).toContain(status);
  });
});

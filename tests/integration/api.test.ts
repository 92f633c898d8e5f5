// The /api/v1 handler over real HTTP (node:http on a random port, as the production server
// mounts it) on a real SQLite database.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { mountApi } from "@/lib/api/server";
import { generateApiKey } from "@/lib/keys/format";
import { credentialLookup } from "@/lib/db/credential-lookup";
import { contractProblems } from "../support/contract";
import {
  createApiKeyFromForm,
  createServiceAccountFromForm,
  setServiceAccountStatusFromForm,
} from "@/lib/service-accounts";
import { revokeKey } from "@/lib/keys/lifecycle";
import { runMatrix, seedMatrixWorld, type MatrixWorld } from "../support/api-matrix";

let server: http.Server;
let base: string;
let flushApi: () => Promise<void>;
let world: MatrixWorld;

beforeAll(async () => {
  server = http.createServer();
  flushApi = mountApi(server, (_req, res) => {
    res.statusCode = 418;
    res.end("not the API");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  world = await seedMatrixWorld();
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

type Answer = {
  status: number;
  headers: Headers;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
};

async function call(
  path: string,
  init: {
    key?: string;
    method?: string;
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined || init.raw !== undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body !== undefined || init.raw !== undefined ? "POST" : "GET"),
    headers,
    body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  });
  const body = (await response.json()) as Answer["body"];
  // Every answer must be what openapi.json documents.
  const method = init.method ?? (init.body !== undefined || init.raw !== undefined ? "POST" : "GET");
  expect(contractProblems(method, path, response.status, body)).toEqual([]);
  return { status: response.status, headers: response.headers, body };
}

const key = (scopeRole: string) => world.keys[scopeRole]!;

describe("access matrix", () => {
  it("answers every scope × role × team × visibility × operation as written", async () => {
    expect(await runMatrix(base, world)).toEqual([]);
  });

  it("opens restricted projects to explicit grants: org-scoped accounts and the team's own accounts", async () => {
    const restricted = async (teamSlug: string) =>
      db.project.findFirstOrThrow({ where: { team: { slug: teamSlug }, name: "restricted-project" } });
    const grant = async (accountName: string, teamSlug: string) => {
      const account = await db.serviceAccount.findFirstOrThrow({
        where: { orgId: world.world.org.id, name: accountName },
      });
      await db.projectAccess.create({
        data: { projectId: (await restricted(teamSlug)).id, serviceAccountId: account.id },
      });
    };
    await grant("org-member", world.other);
    await grant("team-member", world.home);
    await grant("team-viewer", world.other);
    const runs = (entity: string) => `/api/v1/projects/${entity}/restricted-project/runs`;

    expect((await call(runs(world.other), { key: key("ORG MEMBER") })).status).toBe(200);
    expect(
      (
        await call("/api/v1/runs", {
          key: key("ORG MEMBER"),
          body: { entity: world.other, project: "restricted-project" },
        })
      ).status,
    ).toBe(201);
    expect((await call(runs(world.home), { key: key("TEAM MEMBER") })).status).toBe(200);
    expect(
      (await call("/api/v1/runs", { key: key("TEAM MEMBER"), body: { project: "restricted-project" } }))
        .status,
    ).toBe(201);
    // A grant in another team gives a team-scoped account nothing (rule 4).
    expect((await call(runs(world.other), { key: key("TEAM VIEWER") })).body.error?.code).toBe(
      "restricted_project",
    );
    // Ungranted accounts stay out.
    expect((await call(runs(world.home), { key: key("ORG ADMIN") })).body.error?.code).toBe(
      "restricted_project",
    );
  });
});

describe("GET /api/v1/viewer", () => {
  it("describes an org-scoped principal and its credential", async () => {
    const answer = await call("/api/v1/viewer", { key: key("ORG ADMIN") });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      principal: {
        type: "service_account",
        id: expect.any(String) as string,
        name: "org-admin",
        identity: `org-admin@${world.world.org.slug}.sa.deputy.local`,
        scope: "org",
        organization: world.world.org.slug,
        team: null,
        defaultEntity: world.home,
        role: "admin",
      },
      credential: {
        type: "api_key",
        id: expect.any(String) as string,
        name: "matrix",
        expiresAt: expect.any(String) as string,
        restrictions: { permission: "admin", projects: null, allowedIps: null },
      },
    });
  });

  it("describes a team-scoped principal", async () => {
    const answer = await call("/api/v1/viewer", { key: key("TEAM VIEWER") });
    expect(answer.body.principal).toMatchObject({
      scope: "team",
      team: world.home,
      defaultEntity: world.home,
      role: "viewer",
    });
  });
});

describe("POST /api/v1/runs", () => {
  it("logs to the account's own team when no entity is named, creating the project there (TEAM visibility)", async () => {
    const answer = await call("/api/v1/runs", {
      key: key("ORG MEMBER"),
      body: { project: "fresh-project", name: "nightly-1", config: { lr: 0.1 } },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      run: {
        id: expect.any(String) as string,
        entity: world.home,
        project: "fresh-project",
        name: "nightly-1",
        createdBy: `org-member@${world.world.org.slug}.sa.deputy.local`,
        attributedTo: null,
      },
      warnings: [],
    });
    const created = await db.project.findFirstOrThrow({ where: { name: "fresh-project" } });
    expect(created).toMatchObject({ teamId: world.world.alpha.id, visibility: "TEAM" });
    // The project is audited with the account as the actor, in the run's transaction.
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "project.created", targetId: created.id },
    });
    expect(event).toMatchObject({
      orgId: world.world.org.id,
      actorType: "SERVICE_ACCOUNT",
      actorIdentity: `org-member@${world.world.org.slug}.sa.deputy.local`,
      targetName: `${world.home}/fresh-project`,
      ip: "127.0.0.1",
    });
    const listed = await call(`/api/v1/projects/${world.home}/fresh-project/runs`, {
      key: key("TEAM VIEWER"),
    });
    expect(listed.body).toMatchObject({
      runs: [{ name: "nightly-1", config: { lr: 0.1 }, attributedTo: null }],
      nextCursor: null,
    });
  });

  it("creates missing projects only in the account's own team", async () => {
    const answer = await call("/api/v1/runs", {
      key: key("ORG ADMIN"),
      body: { entity: world.other, project: "nowhere" },
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error).toEqual({
      code: "not_found",
      message: expect.stringMatching(/created automatically only in this account's own team/) as string,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
    });
    expect(
      (await call("/api/v1/runs", { key: key("TEAM VIEWER"), body: { project: "viewer-made" } })).body.error
        ?.code,
    ).toBe("read_only_role");
    expect(await db.project.count({ where: { name: { in: ["nowhere", "viewer-made"] } } })).toBe(0);
  });

  it("never crosses organizations", async () => {
    const other = await makeOtherOrgKey();
    expect(
      (await call("/api/v1/runs", { key: other, body: { entity: world.home, project: "open-project" } })).body
        .error?.code,
    ).toBe("not_found");
    expect((await call(`/api/v1/projects/${world.home}/open-project/runs`, { key: other })).status).toBe(404);
  });

  it("attributes a run to a member of the account's parent team, and warns otherwise (rule 10)", async () => {
    const { people } = world.world;
    const member = people.alphaMember.email;
    const byEmail = await call("/api/v1/runs", {
      key: key("TEAM MEMBER"),
      body: { project: "open-project", userEmail: member },
    });
    expect(byEmail.body).toMatchObject({ run: { attributedTo: member }, warnings: [] });
    const byUsername = await call("/api/v1/runs", {
      key: key("TEAM MEMBER"),
      body: { project: "open-project", username: member.split("@")[0] },
    });
    expect(byUsername.body).toMatchObject({ run: { attributedTo: member } });

    // A team-scoped account writing to another team's OPEN project: only its own team's members count.
    const outsider = people.betaAdmin.email;
    const refused = await call("/api/v1/runs", {
      key: key("TEAM MEMBER"),
      body: { entity: world.other, project: "open-project", userEmail: outsider },
    });
    expect(refused.status).toBe(201);
    expect(refused.body).toMatchObject({ run: { attributedTo: null } });
    expect(refused.body.warnings).toEqual([
      `userEmail "${outsider}" is not a member of team ${world.home}, so the run is not attributed to anyone.`,
    ]);

    // An org-scoped account: members of the target team count.
    const orgScoped = await call("/api/v1/runs", {
      key: key("ORG MEMBER"),
      body: { entity: world.other, project: "open-project", userEmail: outsider },
    });
    expect(orgScoped.body).toMatchObject({ run: { attributedTo: outsider }, warnings: [] });
  });

  it("paginates runs with a cursor", async () => {
    for (let i = 0; i < 5; i++)
      await call("/api/v1/runs", { key: key("TEAM ADMIN"), body: { project: "paged", name: `r${i}` } });
    const first = await call(`/api/v1/projects/${world.home}/paged/runs?limit=2`, { key: key("TEAM ADMIN") });
    const names = (first.body.runs as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(["r4", "r3"]);
    const second = await call(
      `/api/v1/projects/${world.home}/paged/runs?limit=2&cursor=${first.body.nextCursor as string}`,
      { key: key("TEAM ADMIN") },
    );
    expect((second.body.runs as { name: string }[]).map((r) => r.name)).toEqual(["r2", "r1"]);
    const bad = await call(`/api/v1/projects/${world.home}/paged/runs?cursor=zzz`, {
      key: key("TEAM ADMIN"),
    });
    expect(bad.body.error?.code).toBe("invalid_request");
  });
});

describe("last used", () => {
  it("is kept in memory per request and written in one batch, never per request", async () => {
    const { world: w } = world;
    const { id } = await createServiceAccountFromForm(
      w.as.alphaAdmin,
      { teamSlug: w.alpha.slug },
      { name: "last-used" },
    );
    const created = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "k" });
    const before = Date.now();
    for (let i = 0; i < 5; i++)
      expect((await call("/api/v1/viewer", { key: created.secret })).status).toBe(200);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toBeNull();
    await flushApi();
    const lastUsedAt = (await db.apiKey.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt;
    expect(lastUsedAt!.getTime()).toBeGreaterThanOrEqual(before - 5);
    const listed = await (
      await import("@/lib/service-accounts")
    ).listServiceAccounts(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, { q: "last-used" });
    expect(listed.items[0]!.lastUsedAt).toEqual(lastUsedAt);
  });
});

describe("credentials", () => {
  it("refuses missing, garbage, mistyped, unknown, revoked, expired and disabled credentials with their codes", async () => {
    const missing = await call("/api/v1/viewer");
    expect(missing.status).toBe(401);
    expect(missing.body.error?.code).toBe("missing_credential");
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);

    const good = key("TEAM ADMIN");
    const typo = good.slice(0, 20) + (good[20] === "a" ? "b" : "a") + good.slice(21);
    for (const token of ["garbage", "dpt_", typo, generateApiKey().token, `${good} extra`]) {
      const answer = await call("/api/v1/viewer", { key: token });
      expect(answer.status).toBe(401);
      expect(answer.body.error?.code).toBe("invalid_credential");
    }
    expect(
      (await call("/api/v1/viewer", { headers: { authorization: `Basic ${good}` } })).body.error?.code,
    ).toBe("invalid_credential");

    const { world: w } = world;
    const { id } = await createServiceAccountFromForm(
      w.as.alphaAdmin,
      { teamSlug: w.alpha.slug },
      { name: "lifecycle" },
    );
    const revoked = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "revoked" });
    const live = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "live" });
    expect((await call("/api/v1/viewer", { key: revoked.secret })).status).toBe(200);
    await revokeKey(w.as.alphaAdmin, id, revoked.id);
    // Revocation reaches a cached key at once in this process.
    expect((await call("/api/v1/viewer", { key: revoked.secret })).body.error?.code).toBe(
      "revoked_credential",
    );

    await setServiceAccountStatusFromForm(w.as.alphaAdmin, id, { status: "DISABLED" });
    expect((await call("/api/v1/viewer", { key: live.secret })).body.error?.code).toBe("account_disabled");
    await setServiceAccountStatusFromForm(w.as.alphaAdmin, id, { status: "ACTIVE" });
    expect((await call("/api/v1/viewer", { key: live.secret })).status).toBe(200);

    const expiring = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "expiring", expiresIn: "30" });
    await db.apiKey.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await call("/api/v1/viewer", { key: expiring.secret })).body.error?.code).toBe(
      "expired_credential",
    );
  });

  it("reads no database row for a malformed key or a bad checksum", async () => {
    // Count executions of the one SQL statement that looks keys up.
    await call("/api/v1/viewer", { key: generateApiKey().token });
    const spy = vi.spyOn(credentialLookup(), "find");
    const good = generateApiKey().token;
    for (const token of ["garbage", good.slice(0, -1) + (good.endsWith("A") ? "B" : "A"), "x".repeat(200)]) {
      expect((await call("/api/v1/viewer", { key: token })).status).toBe(401);
    }
    expect(spy).not.toHaveBeenCalled();
    // A well-formed key with a valid checksum does cost one lookup.
    await call("/api/v1/viewer", { key: good });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });

  it("refuses keys in the URL and never answers with them", async () => {
    const good = key("TEAM ADMIN");
    for (const query of [`?api_key=${good}`, `?token=${good}`, `?x=${good}`]) {
      const answer = await call(`/api/v1/viewer${query}`, { key: good });
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe("invalid_request");
      expect(JSON.stringify(answer.body)).not.toContain(good);
    }
  });

  it("answers a 100 KB token with a JSON error", async () => {
    const answer = await call("/api/v1/viewer", { key: "dpt_".padEnd(100_000, "a") });
    expect(answer.status).toBe(431);
    expect(answer.body.error?.code).toBe("invalid_request");
  });
});

describe("malformed page URLs", () => {
  it("answer 404 before reaching the page framework, which would answer 500", async () => {
    for (const path of [
      "/ml-team/projects/%E0%A4%A",
      "/%",
      "/org/acme/service-accounts/%E0%A4%A?x=1",
      "/ml-team/projects/%00",
      "/%ED%A0%80",
    ]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).toContain("Page not found");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
    }
    // A well-formed escape goes on to the pages as before.
    expect((await fetch(`${base}/ml-team/projects/caf%C3%A9`)).status).toBe(418);
  });
});

describe("security headers (SPEC §8)", () => {
  it("are on every API answer, success and error alike", async () => {
    for (const answer of [
      await call("/api/v1/viewer", { key: key("ORG ADMIN") }),
      await call("/api/v1/viewer"),
      await call("/api/v1/nope"),
    ]) {
      expect(answer.headers.get("content-security-policy")).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
      expect(answer.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
      expect(answer.headers.get("x-frame-options")).toBe("DENY");
    }
  });
});

describe("bad input", () => {
  const k = () => key("TEAM ADMIN");

  it.each([
    ["malformed JSON", { raw: "{not json" }, 400, /not valid JSON/],
    ["a JSON array", { raw: "[1,2]" }, 400, /Invalid run/],
    ["a missing project", { body: {} }, 400, /project/],
    ["wrong types", { body: { project: 42, config: "x", userEmail: 7 } }, 400, /project/],
    ["unknown fields", { body: { project: "p", extra: true } }, 400, /extra/],
    ["a bad project name", { body: { project: "../etc" } }, 400, /project/],
    ["a bad email", { body: { project: "p", userEmail: "nope" } }, 400, /userEmail/],
    [
      "an oversized body",
      { raw: JSON.stringify({ project: "p", config: { blob: "x".repeat(70_000) } }) },
      413,
      /larger than 64 KB/,
    ],
    [
      "an entity that is not valid Unicode",
      { raw: '{"project":"p","entity":"\\ud800"}' },
      400,
      /entity: must be valid Unicode/,
    ],
    [
      "a NUL character inside config",
      { raw: '{"project":"p","config":{"a":["ok","x\\u0000y"]}}' },
      400,
      /config: must hold only valid Unicode text/,
    ],
    [
      "a config nested 8,000 levels deep",
      { raw: `{"project":"p","config":{"a":${"[".repeat(8000)}${"]".repeat(8000)}}}` },
      400,
      /config: must not nest more than 32 levels/,
    ],
    [
      "a summary nested 33 levels deep",
      { body: { project: "p", summary: JSON.parse(`${'{"a":'.repeat(33)}1${"}".repeat(33)}`) as object } },
      400,
      /summary: must not nest/,
    ],
    [
      "a wrong content type",
      { raw: "project=p", headers: { "content-type": "text/plain" } },
      415,
      /application\/json/,
    ],
  ])("refuses %s with invalid_request", async (_what, init, status, message) => {
    const answer = await call("/api/v1/runs", { key: k(), ...(init as object) });
    expect(answer.status).toBe(status);
    expect(answer.body.error?.code).toBe("invalid_request");
    expect(answer.body.error?.message).toMatch(message);
  });

  it("refuses NUL characters and tampered cursors in the path and query with 400", async () => {
    const nul = await call("/api/v1/projects/%00/p/runs", { key: k() });
    expect(nul.status).toBe(400);
    expect(nul.body.error?.code).toBe("invalid_request");
    const cursor = Buffer.from(`${Date.now()}|a\u0000b`).toString("base64url");
    const tampered = await call(`/api/v1/projects/${world.home}/open-project/runs?cursor=${cursor}`, {
      key: k(),
    });
    expect(tampered.status).toBe(400);
  });

  it("answers unknown paths and wrong methods with JSON", async () => {
    const unknown = await call("/api/v1/nope", { key: k() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe("not_found");
    const wrongMethod = await call("/api/v1/viewer", { key: k(), method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");
  });

  it("limits failed attempts per client address with 429 and Retry-After", async () => {
    // Every failure above counted for this address too; keep failing until the limit answers.
    let answer: Answer | undefined;
    for (let i = 0; i < 40; i++) {
      answer = await call("/api/v1/viewer", { key: "garbage" });
      if (answer.status === 429) break;
    }
    expect(answer!.status).toBe(429);
    expect(answer!.body.error?.code).toBe("rate_limited");
    expect(Number(answer!.headers.get("retry-after"))).toBeGreaterThan(0);
    // Even a valid key is refused from this address until the window passes.
    expect((await call("/api/v1/viewer", { key: k() })).status).toBe(429);
  });
});

async function makeOtherOrgKey(): Promise<string> {
  const { makeOrg } = await import("../support/factories");
  const other = await makeOrg();
  const { id } = await createServiceAccountFromForm(
    other.as.orgAdmin,
    { orgSlug: other.org.slug },
    { name: "outsider", defaultTeam: other.alpha.slug },
  );
  return (await createApiKeyFromForm(other.as.orgAdmin, id, { name: "k" })).secret;
}

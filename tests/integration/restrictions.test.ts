// Least privilege per credential (SPEC rules 24 and 26) over real HTTP on the real database: keys
// restricted by permission, projects and client address, set at creation, changed by PATCH,
// carried by rotation; and the one client address behind a trusted proxy.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import {
  createApiKeyFromForm,
  createServiceAccountFromForm,
  explainProjectAccess,
} from "@/lib/service-accounts";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

// Rule 26: this file's server believes X-Forwarded-For from 127.0.0.2 only (read on first use).
process.env.DEPUTY_TRUSTED_PROXIES = "127.0.0.2/32";

type Org = Awaited<ReturnType<typeof makeOrg>>;
let api: Awaited<ReturnType<typeof startApiServer>>;
let w: Org;
let other: Org;
let admin: string;
const accounts: Record<"ADMIN" | "MEMBER" | "VIEWER", string> = { ADMIN: "", MEMBER: "", VIEWER: "" };

beforeAll(async () => {
  api = await startApiServer();
  w = await makeOrg();
  other = await makeOrg();
  for (const role of ["ADMIN", "MEMBER", "VIEWER"] as const) {
    const { id } = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { name: `acct-${role.toLowerCase()}`, role, defaultTeam: w.alpha.slug },
    );
    accounts[role] = id;
  }
  admin = (await createApiKeyFromForm(w.as.orgAdmin, accounts.ADMIN, { name: "bootstrap" })).secret;
  for (const [team, name, visibility] of [
    [w.alpha, "models", "TEAM"],
    [w.alpha, "notebooks", "TEAM"],
    [w.beta, "shared", "OPEN"],
  ] as const) {
    await db.project.create({ data: { teamId: team.id, name, visibility } });
  }
});
afterAll(() => api.close());

const keysOf = (role: keyof typeof accounts) => `/api/v1/service-accounts/${accounts[role]}/keys`;

async function makeKey(role: keyof typeof accounts, restrictions: Record<string, unknown>) {
  const answer = await api.call(keysOf(role), {
    key: admin,
    body: { name: `k-${Math.random().toString(36).slice(2, 8)}`, restrictions },
  });
  return answer;
}

async function secretOf(role: keyof typeof accounts, restrictions: Record<string, unknown>) {
  const answer = await makeKey(role, restrictions);
  expect(answer.status).toBe(201);
  const key = answer.body.key as { id: string; secret: string };
  return { id: key.id, secret: key.secret };
}

const writeRun = (key: string, entity: string, project: string) =>
  api.call("/api/v1/runs", { key, body: { entity, project } });
const readRuns = (key: string, entity: string, project: string) =>
  api.call(`/api/v1/projects/${entity}/${project}/runs`, { key });

describe("rule 24: restrictions are set at creation and only narrow the account", () => {
  it("answers them normalised in the ApiKey, in the key list and (effective) on /viewer", async () => {
    const created = await makeKey("MEMBER", {
      permission: "read",
      projects: [`${w.alpha.slug}/models`, `${w.alpha.slug}/models`],
      allowedIps: ["127.0.0.9/8", "2001:DB8::1/64"],
    });
    expect(created.status).toBe(201);
    const restrictions = {
      permission: "read",
      projects: [`${w.alpha.slug}/models`],
      allowedIps: ["127.0.0.0/8", "2001:db8::/64"],
    };
    expect((created.body.key as Record<string, unknown>).restrictions).toEqual(restrictions);
    const listed = await api.call(keysOf("MEMBER"), { key: admin });
    const row = (listed.body.keys as { id: string; restrictions: unknown }[]).find(
      (k) => k.id === (created.body.key as { id: string }).id,
    );
    expect(row?.restrictions).toEqual(restrictions);
    const viewer = await api.call("/api/v1/viewer", { key: (created.body.key as { secret: string }).secret });
    expect((viewer.body.credential as Record<string, unknown>).restrictions).toEqual(restrictions);

    // No restrictions: the account's own level, and null lists.
    const plain = await makeKey("ADMIN", {});
    expect((plain.body.key as Record<string, unknown>).restrictions).toEqual({
      permission: "admin",
      projects: null,
      allowedIps: null,
    });
  });

  it("refuses every permission above the account's role, and allows every one at or below it", async () => {
    const cells: [keyof typeof accounts, string, number][] = [
      ["VIEWER", "read", 201],
      ["VIEWER", "write", 400],
      ["VIEWER", "admin", 400],
      ["MEMBER", "read", 201],
      ["MEMBER", "write", 201],
      ["MEMBER", "admin", 400],
      ["ADMIN", "read", 201],
      ["ADMIN", "write", 201],
      ["ADMIN", "admin", 201],
    ];
    const answers = [];
    for (const [role, permission] of cells) {
      const answer = await makeKey(role, { permission });
      answers.push([role, permission, answer.status]);
      if (answer.status === 400) expect(answer.body.error?.message).toMatch(/only narrow/);
    }
    expect(answers).toEqual(cells);
  });

  it("refuses malformed ranges and project names, unknown projects and unknown fields, writing nothing", async () => {
    const before = await db.apiKey.count({ where: { serviceAccountId: accounts.MEMBER } });
    for (const [restrictions, message] of [
      [{ allowedIps: ["10.0.0.0/33"] }, /not an IP range/],
      [{ allowedIps: ["example.com"] }, /not an IP range/],
      [{ allowedIps: Array.from({ length: 33 }, (_, i) => `10.0.${i}.0/24`) }, /at most 32/],
      [{ allowedIps: [] }, /at least one/],
      [{ projects: ["no-slash"] }, /<team>\/<project>/],
      [{ projects: ["Team/p"] }, /<team>\/<project>/],
      [{ projects: [`${w.alpha.slug}/nope`] }, /No project/],
      [{ projects: [`${other.alpha.slug}/models`] }, /No project/],
      [{ permission: "root" }, /read, write or admin/],
      [{ everything: true }, /everything/],
    ] as const) {
      const answer = await makeKey("MEMBER", restrictions);
      expect([JSON.stringify(restrictions).slice(0, 40), answer.status]).toEqual([
        JSON.stringify(restrictions).slice(0, 40),
        400,
      ]);
      expect(answer.body.error?.message).toMatch(message);
    }
    expect(await db.apiKey.count({ where: { serviceAccountId: accounts.MEMBER } })).toBe(before);
  });
});

describe("rule 24: a restricted key does exactly what it may", () => {
  it("permission read: a Member account's key reads but its writes are scope_denied", async () => {
    const { secret } = await secretOf("MEMBER", { permission: "read" });
    expect((await readRuns(secret, w.alpha.slug, "models")).status).toBe(200);
    const write = await writeRun(secret, w.alpha.slug, "models");
    expect([write.status, write.body.error?.code]).toEqual([403, "scope_denied"]);
    expect(write.body.error?.message).toMatch(/read-only \(its permission is read\)/);
    // A Viewer account is refused by its role, as before.
    const { secret: viewer } = await secretOf("VIEWER", {});
    expect((await writeRun(viewer, w.alpha.slug, "models")).body.error?.code).toBe("read_only_role");
  });

  it("the management API needs admin permission and no projects restriction", async () => {
    for (const restrictions of [{ permission: "write" }, { projects: [`${w.alpha.slug}/models`] }]) {
      const { secret } = await secretOf("ADMIN", restrictions);
      const answer = await api.call("/api/v1/service-accounts", { key: secret });
      expect([answer.status, answer.body.error?.code]).toEqual([403, "scope_denied"]);
    }
    const { secret } = await secretOf("ADMIN", { permission: "admin" });
    expect((await api.call("/api/v1/service-accounts", { key: secret })).status).toBe(200);
  });

  it("projects: only the listed ones, even an OPEN project the account could write; none created", async () => {
    const { secret } = await secretOf("MEMBER", { projects: [`${w.alpha.slug}/models`] });
    const { secret: unrestricted } = await secretOf("MEMBER", {});
    expect((await writeRun(secret, w.alpha.slug, "models")).status).toBe(201);
    expect((await readRuns(secret, w.alpha.slug, "models")).status).toBe(200);
    expect((await writeRun(unrestricted, w.beta.slug, "shared")).status).toBe(201);
    for (const [entity, project] of [
      [w.beta.slug, "shared"],
      [w.alpha.slug, "notebooks"],
      [w.alpha.slug, "brand-new"],
      [other.alpha.slug, "models"],
    ] as const) {
      const write = await writeRun(secret, entity, project);
      const read = await readRuns(secret, entity, project);
      expect([project, write.status, write.body.error?.code, read.status, read.body.error?.code]).toEqual([
        project,
        403,
        "scope_denied",
        403,
        "scope_denied",
      ]);
    }
    expect(await db.project.count({ where: { name: "brand-new" } })).toBe(0);
    // The default entity is the account's team: the listed project still decides.
    expect((await api.call("/api/v1/runs", { key: secret, body: { project: "models" } })).status).toBe(201);
  });

  it("allowedIps: a request from any other address is ip_not_allowed and counts toward the failure limit", async () => {
    const { secret: inside } = await secretOf("MEMBER", { allowedIps: ["127.0.0.1/32", "::1/128"] });
    const { secret: outside } = await secretOf("MEMBER", { allowedIps: ["10.0.0.0/8"] });
    expect((await api.call("/api/v1/viewer", { key: inside })).status).toBe(200);
    const refused = await api.call("/api/v1/viewer", { key: outside });
    expect([refused.status, refused.body.error?.code]).toEqual([403, "ip_not_allowed"]);
    expect(refused.body.error?.message).toMatch(/allowed IP ranges.*127\.0\.0\.1/);
    expect(refused.text).not.toContain("10.0.0.0");
    // A spoofed X-Forwarded-For from a socket that is not a trusted proxy changes nothing.
    const spoofed = await api.call("/api/v1/viewer", {
      key: outside,
      headers: { "x-forwarded-for": "10.1.2.3" },
    });
    expect(spoofed.body.error?.code).toBe("ip_not_allowed");

    // Counted like a bad key: past the limit, that address is rate limited.
    const strict = await startApiServer({ failLimit: 2 });
    try {
      const codes = [];
      for (let i = 0; i < 3; i++)
        codes.push((await strict.call("/api/v1/viewer", { key: outside })).body.error?.code);
      expect(codes).toEqual(["ip_not_allowed", "ip_not_allowed", "rate_limited"]);
    } finally {
      await strict.close();
    }
  });
});

describe('rule 24: the "Why?" table asked about one key', () => {
  it("narrows each row by the key's restrictions, with the key named as the reason", async () => {
    const { id } = await secretOf("MEMBER", { permission: "read", projects: [`${w.alpha.slug}/models`] });
    const place = { orgSlug: w.org.slug };
    const row = (rows: { project: string }[], project: string) => rows.find((r) => r.project === project);
    const account = await explainProjectAccess(w.as.orgAdmin, place, "acct-member");
    expect(row(account.rows, `${w.alpha.slug}/models`)).toMatchObject({ read: true, write: true });
    const asked = await explainProjectAccess(w.as.orgAdmin, place, "acct-member", id);
    expect(asked.askedKey).toMatchObject({ id });
    const keyName = asked.askedKey!.name;
    expect(row(asked.rows, `${w.alpha.slug}/models`)).toMatchObject({
      read: true,
      write: false,
      why: `read only — key ${keyName} is read-only`,
    });
    expect(row(asked.rows, `${w.beta.slug}/shared`)).toMatchObject({
      read: false,
      write: false,
      why: `key ${keyName} is limited to other projects`,
    });
    // Another account's key is not this account's: the table answers about the account itself.
    const { id: otherKey } = await secretOf("ADMIN", {});
    expect((await explainProjectAccess(w.as.orgAdmin, place, "acct-member", otherKey)).askedKey).toBeNull();
  });
});

describe("rule 24: restrictions change later, audited, at once; rotation carries them", () => {
  it("PATCH narrows a key: the next request is refused; null lifts it; another org's admin gets 404", async () => {
    const { id, secret } = await secretOf("MEMBER", {});
    expect((await writeRun(secret, w.alpha.slug, "notebooks")).status).toBe(201);
    const patched = await api.call(`${keysOf("MEMBER")}/${id}`, {
      key: admin,
      method: "PATCH",
      body: { restrictions: { projects: [`${w.alpha.slug}/models`] } },
    });
    expect(patched.status).toBe(200);
    expect((patched.body.key as Record<string, unknown>).restrictions).toEqual({
      permission: "write",
      projects: [`${w.alpha.slug}/models`],
      allowedIps: null,
    });
    // Within the credential cache's lifetime, on the same instance: refused at once.
    expect((await writeRun(secret, w.alpha.slug, "notebooks")).body.error?.code).toBe("scope_denied");
    const event = await db.auditEvent.findFirst({
      where: { orgId: w.org.id, action: "api_key.restrictions_changed" },
      orderBy: { createdAt: "desc" },
    });
    expect(event?.metadata).toMatchObject({
      from: { permission: null, projects: null, allowedIps: null },
      to: { permission: null, projects: [`${w.alpha.slug}/models`], allowedIps: null },
    });
    expect(JSON.stringify(event)).not.toContain(secret.slice(20));

    const widened = await api.call(`${keysOf("MEMBER")}/${id}`, {
      key: admin,
      method: "PATCH",
      body: { restrictions: { permission: "admin" } },
    });
    expect(widened.status).toBe(400);
    const lifted = await api.call(`${keysOf("MEMBER")}/${id}`, {
      key: admin,
      method: "PATCH",
      body: { restrictions: { projects: null } },
    });
    expect((lifted.body.key as { restrictions: { projects: unknown } }).restrictions.projects).toBeNull();
    expect((await writeRun(secret, w.alpha.slug, "notebooks")).status).toBe(201);

    const { id: otherAdminAccount } = await createServiceAccountFromForm(
      other.as.orgAdmin,
      { orgSlug: other.org.slug },
      { name: "other-admin", role: "ADMIN", defaultTeam: other.alpha.slug },
    );
    const otherAdmin = (await createApiKeyFromForm(other.as.orgAdmin, otherAdminAccount, { name: "x" }))
      .secret;
    const foreign = await api.call(`${keysOf("MEMBER")}/${id}`, {
      key: otherAdmin,
      method: "PATCH",
      body: { restrictions: { permission: "read" } },
    });
    expect(foreign.status).toBe(404);
  });

  it("a rotated key keeps its restrictions, and the new key is held to them", async () => {
    const { id } = await secretOf("MEMBER", { permission: "read", allowedIps: ["127.0.0.0/8"] });
    const rotated = await api.call(`${keysOf("MEMBER")}/${id}/rotate`, {
      key: admin,
      body: { graceHours: 0 },
    });
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.key as { secret: string; restrictions: unknown };
    expect(fresh.restrictions).toEqual({ permission: "read", projects: null, allowedIps: ["127.0.0.0/8"] });
    expect((await writeRun(fresh.secret, w.alpha.slug, "models")).body.error?.code).toBe("scope_denied");
  });
});

/** A GET from a given local address (127.0.0.2 plays the load balancer). */
function getFrom(localAddress: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: { error?: { code: string } } }>((resolve, reject) => {
    const request = http.request(`${api.base}${path}`, { localAddress, headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }));
    });
    request.on("error", reject);
    request.end();
  });
}

describe("rule 26: one client address", () => {
  it("behind a trusted proxy, the right-most untrusted X-Forwarded-For hop is the client", async () => {
    const { secret } = await secretOf("MEMBER", { allowedIps: ["198.51.100.0/24"] });
    const auth = { authorization: `Bearer ${secret}` };
    expect(
      (await getFrom("127.0.0.2", "/api/v1/viewer", { ...auth, "x-forwarded-for": "198.51.100.7" })).status,
    ).toBe(200);
    // The client wrote the left-most entry itself; the proxy appended the address it saw.
    const forged = await getFrom("127.0.0.2", "/api/v1/viewer", {
      ...auth,
      "x-forwarded-for": "198.51.100.7, 203.0.113.5",
    });
    expect(forged.body.error?.code).toBe("ip_not_allowed");
    // The same header from an untrusted socket is ignored.
    const direct = await getFrom("127.0.0.1", "/api/v1/viewer", {
      ...auth,
      "x-forwarded-for": "198.51.100.7",
    });
    expect(direct.body.error?.code).toBe("ip_not_allowed");
  });

  it("the audit log records the client's address, not the proxy's", async () => {
    const { secret } = await secretOf("MEMBER", {});
    const project = `via-proxy-${Math.random().toString(36).slice(2, 8)}`;
    const answer = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ project });
      const request = http.request(
        `${api.base}/api/v1/runs`,
        {
          method: "POST",
          localAddress: "127.0.0.2",
          headers: {
            authorization: `Bearer ${secret}`,
            "content-type": "application/json",
            "x-forwarded-for": "192.0.2.44",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      request.on("error", reject);
      request.end(body);
    });
    expect(answer).toBe(201);
    const event = await db.auditEvent.findFirst({
      where: { orgId: w.org.id, action: "project.created", targetName: `${w.alpha.slug}/${project}` },
    });
    expect(event?.ip).toBe("192.0.2.44");
  });
});

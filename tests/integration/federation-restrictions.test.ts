// Rule 25 over HTTP on the real database: a federated account's trust settings carry allowedIps
// (the exchange and every use of its access tokens), and the exchange's RFC 8693 scope narrows
// the access token; more than the account has is 400 invalid_scope and issues nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createServiceAccountFromForm, updateAccount } from "@/lib/service-accounts";
import { addIdentityProvider } from "@/lib/federation/providers";
import { startApiServer } from "../support/api-server";
import { startLocalIssuer, type LocalIssuer } from "../support/local-issuer";
import { makeOrg } from "../support/factories";

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

let api: Awaited<ReturnType<typeof startApiServer>>;
let idp: LocalIssuer;
let world: Awaited<ReturnType<typeof makeOrg>>;

beforeAll(async () => {
  api = await startApiServer({ failLimit: 10_000 });
  idp = await startLocalIssuer();
  world = await makeOrg();
  await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "CI" });
  for (const name of ["models", "notebooks"]) {
    await db.project.create({ data: { teamId: world.alpha.id, name, visibility: "TEAM" } });
  }
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

async function federated(
  name: string,
  role: "MEMBER" | "VIEWER" = "MEMBER",
  allowedIps: string[] | null = null,
) {
  const { id } = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name, role, authMethod: "FEDERATED", issuer: idp.issuer, subject: `job:${name}`, audience: "deputy" },
  );
  if (allowedIps) await trustFrom(id, name, allowedIps);
  return id;
}

const trustFrom = (id: string, name: string, allowedIps: string[] | null) =>
  updateAccount(world.as.orgAdmin, id, {
    federation: { issuer: idp.issuer, subject: `job:${name}`, audience: "deputy", claims: {}, allowedIps },
  });

async function exchange(name: string, scope?: string) {
  const answer = await api.call("/api/v1/oauth/token", {
    raw: new URLSearchParams({
      grant_type: GRANT,
      subject_token: await idp.mint({ sub: `job:${name}` }),
      subject_token_type: JWT_TYPE,
      ...(scope !== undefined ? { scope } : {}),
    }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  return answer as typeof answer & {
    body: { error?: unknown; error_description?: string; access_token?: string };
  };
}

const writeRun = (token: string, project: string) =>
  api.call("/api/v1/runs", { key: token, body: { entity: world.alpha.slug, project } });

describe("rule 25: the exchange's scope narrows the access token", () => {
  it("scope read and one project: reads that project, writes nothing, touches no other project", async () => {
    await federated("scoped-job");
    const granted = await exchange("scoped-job", `read project:${world.alpha.slug}/models`);
    expect(granted.status).toBe(200);
    const token = granted.body.access_token!;
    const viewer = await api.call("/api/v1/viewer", { key: token });
    expect((viewer.body.credential as { restrictions: unknown }).restrictions).toEqual({
      permission: "read",
      projects: [`${world.alpha.slug}/models`],
      allowedIps: null,
    });
    expect((await api.call(`/api/v1/projects/${world.alpha.slug}/models/runs`, { key: token })).status).toBe(
      200,
    );
    expect((await writeRun(token, "models")).body.error?.code).toBe("scope_denied");
    const other = await api.call(`/api/v1/projects/${world.alpha.slug}/notebooks/runs`, { key: token });
    expect(other.body.error?.code).toBe("scope_denied");
    // Without scope, the same account's token does everything the account may.
    const full = (await exchange("scoped-job")).body.access_token!;
    expect((await writeRun(full, "notebooks")).status).toBe(201);
  });

  it("more than the account has, or a malformed scope, is 400 invalid_scope and issues nothing", async () => {
    const id = await federated("viewer-job", "VIEWER");
    const before = await db.accessToken.count({ where: { serviceAccountId: id } });
    for (const [scope, message] of [
      ["write", /more than this account's role/],
      ["admin", /more than this account's role/],
      [`project:${world.alpha.slug}/nope`, /not a project of this account's organization/],
      ["read write", /at most one/],
      ["delete", /not read, write, admin or project/],
      ["project:../../etc", /not read, write, admin or project/],
    ] as const) {
      const refused = await exchange("viewer-job", scope);
      expect([scope, refused.status, refused.body.error]).toEqual([scope, 400, "invalid_scope"]);
      expect(refused.body.error_description).toMatch(message);
    }
    expect(await db.accessToken.count({ where: { serviceAccountId: id } })).toBe(before);
    expect((await exchange("viewer-job", "read")).status).toBe(200);
  });
});

describe("rule 25: allowedIps in the trust settings", () => {
  it("refuses an exchange from elsewhere (audited), and holds every use of a token to the current ranges", async () => {
    const id = await federated("fenced-job", "MEMBER", ["10.0.0.0/8"]);
    const refused = await exchange("fenced-job");
    expect([refused.status, refused.body.error]).toEqual([400, "invalid_grant"]);
    expect(refused.body.error_description).toMatch(/allowed IP ranges/);
    expect(refused.text).not.toContain("10.0.0.0");
    const audited = await db.auditEvent.findFirst({
      where: { orgId: world.org.id, action: "token_exchange.refused", targetId: id },
      orderBy: { createdAt: "desc" },
    });
    expect(JSON.stringify(audited?.metadata)).toMatch(/outside the trust settings' allowedIps/);

    await trustFrom(id, "fenced-job", ["127.0.0.0/8", "::1/128"]);
    const granted = await exchange("fenced-job");
    expect(granted.status).toBe(200);
    const token = granted.body.access_token!;
    expect((await api.call("/api/v1/viewer", { key: token })).status).toBe(200);

    // The ranges change after the token was issued: its next use is held to the new ones.
    await trustFrom(id, "fenced-job", ["192.0.2.0/24"]);
    const use = await api.call("/api/v1/viewer", { key: token });
    expect([use.status, use.body.error?.code]).toEqual([403, "ip_not_allowed"]);
    const listed = await api.call("/api/v1/service-accounts", { key: token });
    expect(listed.status).toBe(403);
  });

  it("refuses malformed ranges in the trust settings, naming them", async () => {
    const id = await federated("bad-ranges-job");
    await expect(trustFrom(id, "bad-ranges-job", ["10.0.0.0/33"])).rejects.toThrow(
      /highlighted|not an IP range/,
    );
  });
});

// Right-sizing (SPEC rule 27) from real traffic over HTTP on the real database: what a key read,
// wrote and where from is kept per day by the last-used batch; Restrict's proposal is the
// narrowest set that still allows all of it; applying it refuses what the key never did; the
// Attention list names keys broader than their use; and nothing leaks across orgs.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { getAttentionList } from "@/lib/service-accounts/attention";
import { suggestRestrictions } from "@/lib/keys/suggested-restrictions";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

type Org = Awaited<ReturnType<typeof makeOrg>>;
let api: Awaited<ReturnType<typeof startApiServer>>;
let w: Org;
let other: Org;
let admin: string;
let memberId: string;

beforeAll(async () => {
  api = await startApiServer();
  w = await makeOrg();
  other = await makeOrg();
  const adminAccount = await createServiceAccountFromForm(
    w.as.orgAdmin,
    { orgSlug: w.org.slug },
    { name: "rs-admin", role: "ADMIN", defaultTeam: w.alpha.slug },
  );
  admin = (await createApiKeyFromForm(w.as.orgAdmin, adminAccount.id, { name: "bootstrap" })).secret;
  memberId = (
    await createServiceAccountFromForm(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { name: "rs-trainer", role: "MEMBER", defaultTeam: w.alpha.slug },
    )
  ).id;
  for (const [team, name, visibility] of [
    [w.alpha, "production-models", "TEAM"],
    [w.alpha, "eval", "TEAM"],
    [w.alpha, "scratch", "TEAM"],
    [w.beta, "shared", "OPEN"],
  ] as const) {
    await db.project.create({ data: { teamId: team.id, name, visibility } });
  }
});
afterAll(() => api.close());

/** A request from a given loopback address (the socket's address is the client address). */
function callFrom(localAddress: string, path: string, key: string, body?: unknown) {
  return new Promise<{ status: number; body: { error?: { code: string } } }>((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      `${api.base}${path}`,
      {
        method: text ? "POST" : "GET",
        localAddress,
        headers: { authorization: `Bearer ${key}`, ...(text ? { "content-type": "application/json" } : {}) },
      },
      (res) => {
        let answer = "";
        res.on("data", (chunk: Buffer) => (answer += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(answer) as never }));
      },
    );
    request.on("error", reject);
    request.end(text);
  });
}

const suggestionPath = (keyId: string) =>
  `/api/v1/service-accounts/${memberId}/keys/${keyId}/suggested-restrictions`;

async function newKey(name: string) {
  const key = await createApiKeyFromForm(w.as.orgAdmin, memberId, { name });
  return { id: key.id, secret: key.secret };
}

describe("rule 27: right-sizing from what a key did", () => {
  it("proposes exactly what a week of use needed, says it in words, and applying it refuses the rest", async () => {
    const key = await newKey("trainer-ci");
    const alpha = w.alpha.slug;
    // Six earlier days of the week, as the batch would have kept them on other days.
    const today = new Date();
    for (let d = 1; d <= 6; d++) {
      const day = new Date(today.getTime() - d * 86_400_000).toISOString().slice(0, 10);
      await db.apiKeyUsageDay.create({
        data: { apiKeyId: key.id, serviceAccountId: memberId, day, requests: 10 },
      });
      await db.apiKeyUseFact.createMany({
        data: [
          { apiKeyId: key.id, day, kind: "write", value: `${alpha}/production-models` },
          { apiKeyId: key.id, day, kind: "address", value: "127.0.0.3/32" },
        ],
      });
    }
    // Today, over HTTP: writes to production-models and reads of eval, from two addresses.
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await callFrom("127.0.0.3", "/api/v1/runs", key.secret, {
            entity: alpha,
            project: "production-models",
          })
        ).status,
      ).toBe(201);
    }
    expect((await callFrom("127.0.0.4", `/api/v1/projects/${alpha}/eval/runs`, key.secret)).status).toBe(200);
    // A refused request (another team's TEAM project does not exist for it) adds no project.
    await callFrom("127.0.0.3", `/api/v1/projects/${w.beta.slug}/nope/runs`, key.secret);
    await api.flush();

    const answer = await api.call(suggestionPath(key.id), { key: admin });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      keyId: key.id,
      requests: 65,
      days: 7,
      current: { permission: "write", projects: null, allowedIps: null },
      suggested: {
        permission: "write",
        projects: [`${alpha}/eval`, `${alpha}/production-models`],
        allowedIps: ["127.0.0.3/32", "127.0.0.4/32"],
      },
      narrows: ["projects", "allowedIps"],
    });
    expect(answer.body.description).toBe(
      `Wrote runs to ${alpha}/production-models on 7 days; also read runs of ${alpha}/eval on 1 day; from 127.0.0.3 and 127.0.0.4 (65 requests on 7 days of the last 30).`,
    );

    // One step: PATCH with the suggestion; then what the key never did is refused.
    const applied = await api.call(`/api/v1/service-accounts/${memberId}/keys/${key.id}`, {
      key: admin,
      method: "PATCH",
      body: { restrictions: answer.body.suggested },
    });
    expect(applied.status).toBe(200);
    expect(
      (
        await callFrom("127.0.0.3", "/api/v1/runs", key.secret, {
          entity: alpha,
          project: "production-models",
        })
      ).status,
    ).toBe(201);
    const other = await callFrom("127.0.0.3", "/api/v1/runs", key.secret, {
      entity: alpha,
      project: "scratch",
    });
    expect(other.body.error?.code).toBe("scope_denied");
    expect(
      (await callFrom("127.0.0.5", `/api/v1/projects/${alpha}/eval/runs`, key.secret)).body.error?.code,
    ).toBe("ip_not_allowed");
    // Now as narrow as its use: nothing more to propose.
    await api.flush();
    const again = await api.call(suggestionPath(key.id), { key: admin });
    expect(again.body.narrows).toEqual([]);
  });

  it("a key that only reads is proposed read only; one that used the management API keeps admin and every project", async () => {
    const reader = await newKey("dashboards");
    for (let i = 0; i < 2; i++) {
      expect(
        (await callFrom("127.0.0.6", `/api/v1/projects/${w.beta.slug}/shared/runs`, reader.secret)).status,
      ).toBe(200);
    }
    await api.flush();
    const read = await suggestRestrictions(w.as.orgAdmin, memberId, reader.id);
    expect(read.suggestedInput).toEqual({
      permission: "read",
      projects: [`${w.beta.slug}/shared`],
      allowedIps: ["127.0.0.6/32"],
    });
    expect(read.narrows).toEqual(["permission", "projects", "allowedIps"]);
    expect(read.description).toMatch(/^Read runs of .*\/shared on 1 day; from 127\.0\.0\.6 \(2 requests/);

    // The admin key listed accounts (a management call): it needs admin and no projects list.
    const adminKeyId = (
      await db.apiKey.findFirstOrThrow({ where: { name: "bootstrap", serviceAccount: { orgId: w.org.id } } })
    ).id;
    const adminAccountId = (await db.apiKey.findUniqueOrThrow({ where: { id: adminKeyId } }))
      .serviceAccountId!;
    await callFrom("127.0.0.7", "/api/v1/service-accounts", admin);
    await api.flush();
    const managing = await suggestRestrictions(w.as.orgAdmin, adminAccountId, adminKeyId);
    expect(managing.suggestedInput.permission).toBeNull();
    expect(managing.suggestedInput.projects).toBeNull();
    expect(managing.description).toMatch(/^Used the management API on 1 day; from /);
  });

  it("never widens a key: uses from before a restriction do not come back in the proposal", async () => {
    const key = await newKey("narrowed-later");
    await db.apiKeyUseFact.createMany({
      data: [
        { apiKeyId: key.id, day: "2000-01-01", kind: "write", value: "ignored/too-old" },
        {
          apiKeyId: key.id,
          day: new Date().toISOString().slice(0, 10),
          kind: "write",
          value: `${w.alpha.slug}/scratch`,
        },
      ],
    });
    await db.apiKeyUsageDay.create({
      data: {
        apiKeyId: key.id,
        serviceAccountId: memberId,
        day: new Date().toISOString().slice(0, 10),
        requests: 4,
      },
    });
    await db.apiKey.update({
      where: { id: key.id },
      data: { permission: "read", projects: JSON.stringify([`${w.alpha.slug}/eval`]) },
    });
    const proposal = await suggestRestrictions(w.as.orgAdmin, memberId, key.id);
    expect(proposal.suggestedInput).toMatchObject({ permission: "read", projects: [`${w.alpha.slug}/eval`] });
    expect(proposal.narrows).not.toContain("permission");
    expect(proposal.narrows).not.toContain("projects");
  });

  it("Attention lists settled keys broader than their use, and never another org's", async () => {
    const key = await newKey("broad-and-old");
    await db.apiKey.update({
      where: { id: key.id },
      data: { createdAt: new Date(Date.now() - 10 * 86_400_000) },
    });
    expect(
      (await callFrom("127.0.0.8", "/api/v1/runs", key.secret, { entity: w.alpha.slug, project: "eval" }))
        .status,
    ).toBe(201);
    await api.flush();
    const list = await getAttentionList(w.as.orgAdmin, w.org.slug);
    const item = list.broader.find((b) => b.keyId === key.id);
    expect(item).toMatchObject({ keyName: "broad-and-old", narrows: ["projects", "allowedIps"] });
    // A key created today has not shown its use yet.
    const fresh = await newKey("too-new");
    await callFrom("127.0.0.8", "/api/v1/runs", fresh.secret, { entity: w.alpha.slug, project: "eval" });
    await api.flush();
    expect(
      (await getAttentionList(w.as.orgAdmin, w.org.slug)).broader.some((b) => b.keyId === fresh.id),
    ).toBe(false);
    const otherList = await getAttentionList(other.as.orgAdmin, other.org.slug);
    expect(otherList.broader.some((b) => b.keyId === key.id)).toBe(false);
  });

  it("refuses another org's admin and an unknown key without saying more", async () => {
    const key = await newKey("private-use");
    const otherAccount = await createServiceAccountFromForm(
      other.as.orgAdmin,
      { orgSlug: other.org.slug },
      { name: "rs-intruder", role: "ADMIN", defaultTeam: other.alpha.slug },
    );
    const intruder = (await createApiKeyFromForm(other.as.orgAdmin, otherAccount.id, { name: "x" })).secret;
    const refused = await api.call(suggestionPath(key.id), { key: intruder });
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain("private-use");
    await expect(suggestRestrictions(other.as.orgAdmin, memberId, key.id)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect((await api.call(suggestionPath("nope"), { key: admin })).status).toBe(404);
  });
});

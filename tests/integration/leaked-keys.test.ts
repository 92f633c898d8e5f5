// Rule 22: a key reported as leaked is revoked at once, marked leaked with where it was found and
// audited; unknown, already revoked, foreign or half-right keys change nothing. Reports come from
// an org admin, an ADMIN account, or a secret-scanning report signed over its raw body.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { acknowledgeLeaks, reportLeakedKeys } from "@/lib/keys/leaks";
import { createApiKey, createServiceAccount, getServiceAccountDetail } from "@/lib/service-accounts/data";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

let api: Awaited<ReturnType<typeof startApiServer>>;
let world: Awaited<ReturnType<typeof makeOrg>>;
let other: Awaited<ReturnType<typeof makeOrg>>;
let scanner: crypto.KeyPairKeyObjectResult;
const sha = (t: string) => crypto.createHash("sha256").update(t).digest("hex");

beforeAll(async () => {
  api = await startApiServer();
  world = await makeOrg();
  other = await makeOrg();
  scanner = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "deputy-scan-")), "keys.pem");
  fs.writeFileSync(file, scanner.publicKey.export({ type: "spki", format: "pem" }));
  process.env.DEPUTY_SECRET_SCANNING_KEYS = file;
});
afterAll(() => api.close());

async function freshKey(org = world, team = "alpha" as "alpha" | "beta") {
  const name = `job-${crypto.randomBytes(3).toString("hex")}`;
  const { id } = await createServiceAccount(org.as.orgAdmin, { teamSlug: org[team].slug }, { name });
  const key = await createApiKey(org.as.orgAdmin, id, { name: "ci" });
  return { accountId: id, name, key };
}

const keyRow = (id: string) =>
  db.apiKey.findUniqueOrThrow({
    where: { id },
    select: { revokedAt: true, leakedAt: true, leakSource: true },
  });

describe("reporting leaked keys", () => {
  it("revokes an org admin's pasted key at once, marks it leaked with where, and changes nothing else", async () => {
    const leaked = await freshKey();
    const foreign = await freshKey(other);
    const halfRight = await freshKey();
    const wrongSecret = halfRight.key.secret.replace(/_(.)/, (_m, c: string) => `_${c === "A" ? "B" : "A"}`);
    const results = await reportLeakedKeys(
      { kind: "principal", principal: world.as.orgAdmin, orgSlug: world.org.slug },
      [
        { token: leaked.key.secret, source: "console", url: "https://github.com/acme/app/commit/1" },
        { token: foreign.key.secret },
        { token: wrongSecret },
        { token: "dpt_not_a_key" },
      ],
    );
    expect(results).toEqual([
      { tokenHash: sha(leaked.key.secret), status: "revoked" },
      { tokenHash: sha(foreign.key.secret), status: "unknown" },
      { tokenHash: sha(wrongSecret), status: "unknown" },
      { tokenHash: sha("dpt_not_a_key"), status: "unknown" },
    ]);
    expect(await keyRow(leaked.key.id)).toMatchObject({
      revokedAt: expect.any(Date) as Date,
      leakedAt: expect.any(Date) as Date,
      leakSource: expect.stringMatching(/console — https:\/\/github.com\/acme\/app\/commit\/1/) as string,
    });
    expect(await keyRow(foreign.key.id)).toMatchObject({ revokedAt: null, leakedAt: null });
    expect(await keyRow(halfRight.key.id)).toMatchObject({ revokedAt: null, leakedAt: null });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "api_key.leaked", targetId: leaked.accountId },
    });
    expect(event.actorIdentity).toBe(world.as.orgAdmin.user.email);
    expect(JSON.stringify(event)).not.toContain(leaked.key.secret.slice(17, 49));

    const again = await reportLeakedKeys(
      { kind: "principal", principal: world.as.orgAdmin, orgSlug: world.org.slug },
      [{ token: leaked.key.secret }],
    );
    expect(again).toEqual([{ tokenHash: sha(leaked.key.secret), status: "already_revoked" }]);
    await expect(
      reportLeakedKeys({ kind: "principal", principal: world.as.alphaAdmin, orgSlug: world.org.slug }, [
        { token: "x" },
      ]),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("shows a banner on the account page until an admin acknowledges it", async () => {
    const leaked = await freshKey();
    await reportLeakedKeys({ kind: "principal", principal: world.as.orgAdmin, orgSlug: world.org.slug }, [
      { token: leaked.key.secret },
    ]);
    const page = () =>
      getServiceAccountDetail(world.as.orgAdmin, { teamSlug: world.alpha.slug }, leaked.name);
    const before = await page();
    expect(before.unacknowledgedLeaks).toHaveLength(1);
    expect(before.keys[0]).toMatchObject({ status: "leaked" });
    await acknowledgeLeaks(world.as.orgAdmin, leaked.accountId);
    expect((await page()).unacknowledgedLeaks).toEqual([]);
  });
});

describe("POST /api/v1/leaked-keys", () => {
  it("takes reports from ADMIN accounts, touching only keys they manage, never echoing a token", async () => {
    const admin = await createServiceAccount(
      world.as.orgAdmin,
      { teamSlug: world.beta.slug },
      { name: "beta-sec", role: "ADMIN" },
    );
    const adminKey = (await createApiKey(world.as.orgAdmin, admin.id, { name: "sec" })).secret;
    const inBeta = await freshKey(world, "beta");
    const inAlpha = await freshKey(world, "alpha");
    const answer = await api.call("/api/v1/leaked-keys", {
      key: adminKey,
      body: [
        { token: inBeta.key.secret, type: "deputy_api_key", url: "https://paste.example/1" },
        { token: inAlpha.key.secret },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual([
      { tokenHash: sha(inBeta.key.secret), status: "revoked" },
      { tokenHash: sha(inAlpha.key.secret), status: "unknown" },
    ]);
    expect(answer.text).not.toContain(inBeta.key.secret);
    expect((await api.call("/api/v1/viewer", { key: inBeta.key.secret })).body.error?.code).toBe(
      "revoked_credential",
    );
    expect((await api.call("/api/v1/viewer", { key: inAlpha.key.secret })).status).toBe(200);

    const member = await createServiceAccount(
      world.as.orgAdmin,
      { teamSlug: world.beta.slug },
      { name: "beta-member" },
    );
    const memberKey = (await createApiKey(world.as.orgAdmin, member.id, { name: "m" })).secret;
    expect(
      (await api.call("/api/v1/leaked-keys", { key: memberKey, body: [{ token: inAlpha.key.secret }] }))
        .status,
    ).toBe(403);
    for (const body of [[], {}, [{ nope: 1 }], Array.from({ length: 101 }, () => ({ token: "x" }))]) {
      expect((await api.call("/api/v1/leaked-keys", { key: adminKey, body })).status).toBe(400);
    }
  });

  it("accepts a secret-scanning report only with a valid signature over the raw body", async () => {
    const victim = await freshKey(other);
    const raw = JSON.stringify([
      {
        token: victim.key.secret,
        type: "deputy_api_key",
        url: "https://github.com/x/y/blob/main/.env",
        source: "commit",
      },
    ]);
    const sign = (key: crypto.KeyObject, body: string) =>
      crypto.sign("sha256", Buffer.from(body), key).toString("base64");
    const post = (signature: string, body = raw) =>
      api.call("/api/v1/leaked-keys", {
        raw: body,
        headers: { "github-public-key-signature": signature, "github-public-key-identifier": "k1" },
      });
    const stranger = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    for (const bad of [
      sign(stranger.privateKey, raw),
      sign(scanner.privateKey, `${raw} `),
      "not-base64!",
      "",
    ]) {
      const refused = await post(bad);
      expect([refused.status, refused.body.error?.code]).toEqual([401, expect.stringMatching(/credential/)]);
    }
    expect(await keyRow(victim.key.id)).toMatchObject({ revokedAt: null });
    const accepted = await post(sign(scanner.privateKey, raw));
    expect(accepted.body.results).toEqual([{ tokenHash: sha(victim.key.secret), status: "revoked" }]);
    expect(await keyRow(victim.key.id)).toMatchObject({
      leakSource: "secret scanning — commit — https://github.com/x/y/blob/main/.env",
    });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "api_key.leaked", targetId: victim.accountId },
    });
    expect(event.actorType).toBe("SYSTEM");
    expect((await api.call("/api/v1/leaked-keys", { body: [{ token: "x" }] })).status).toBe(401);
  });
});

// Rule 22: a key reported as leaked is revoked at once, marked leaked with where it was found and
// audited; unknown, already revoked, foreign or half-right keys change nothing. Reports come from
// an org admin, an ADMIN account, or a secret-scanning report signed over its raw body.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { addIdentityProvider } from "@/lib/federation/providers";
import { acknowledgeLeaks, reportLeakedKeys } from "@/lib/keys/leaks";
import {
  createApiKeyFromForm,
  createServiceAccountFromForm,
  getServiceAccountDetail,
} from "@/lib/service-accounts";
import { isWellFormedText } from "@/lib/validation/text";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";
import { startLocalIssuer, type LocalIssuer } from "../support/local-issuer";

let api: Awaited<ReturnType<typeof startApiServer>>;
let idp: LocalIssuer;
let world: Awaited<ReturnType<typeof makeOrg>>;
let other: Awaited<ReturnType<typeof makeOrg>>;
let scanner: crypto.KeyPairKeyObjectResult;
let scanningKeysFile: string;
const sha = (t: string) => crypto.createHash("sha256").update(t).digest("hex");

beforeAll(async () => {
  // The scanning keys are read when the server starts, like every other setting.
  scanner = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  scanningKeysFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "deputy-scan-")), "keys.pem");
  fs.writeFileSync(scanningKeysFile, scanner.publicKey.export({ type: "spki", format: "pem" }));
  process.env.DEPUTY_SECRET_SCANNING_KEYS = scanningKeysFile;
  api = await startApiServer();
  idp = await startLocalIssuer();
  world = await makeOrg();
  other = await makeOrg();
  await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "Local CI" });
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

async function freshKey(org = world, team = "alpha" as "alpha" | "beta") {
  const name = `job-${crypto.randomBytes(3).toString("hex")}`;
  const { id } = await createServiceAccountFromForm(org.as.orgAdmin, { teamSlug: org[team].slug }, { name });
  const key = await createApiKeyFromForm(org.as.orgAdmin, id, { name: "ci" });
  return { accountId: id, name, key };
}

/** An ADMIN account of team beta, which manages beta's team-scoped accounts only. */
async function betaAdminKey() {
  const admin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.beta.slug },
    { name: `beta-sec-${crypto.randomBytes(3).toString("hex")}`, role: "ADMIN" },
  );
  return (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "sec" })).secret;
}

/** A federated account of `team` and a dpa_ access token from the token exchange for it. */
async function freshAccessToken(team: "alpha" | "beta" = "beta") {
  const name = `fed-${crypto.randomBytes(3).toString("hex")}`;
  const subject = `repo:acme/${name}:ref:refs/heads/main`;
  const { id } = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world[team].slug },
    { name, authMethod: "FEDERATED", issuer: idp.issuer, subject, audience: "deputy" },
  );
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: await idp.mint({ sub: subject }),
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
  });
  const answer = await api.call("/api/v1/oauth/token", {
    raw: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  expect(answer.status).toBe(200);
  const token = (answer.body as { access_token: string }).access_token;
  expect(token).toMatch(/^dpa_/);
  return { accountId: id, name, token };
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
    const admin = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.beta.slug },
      { name: "beta-sec", role: "ADMIN" },
    );
    const adminKey = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "sec" })).secret;
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

    const member = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.beta.slug },
      { name: "beta-member" },
    );
    const memberKey = (await createApiKeyFromForm(world.as.orgAdmin, member.id, { name: "m" })).secret;
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

  it("refuses text no database can store before changing anything, and keeps every key working", async () => {
    const adminKey = await betaAdminKey();
    const first = await freshKey(world, "beta");
    const second = await freshKey(world, "beta");
    // The lone surrogate sits in the second item: nothing of the first may be revoked either.
    const bad = [
      String.raw`{"token":"${second.key.secret}","url":"https://x/\ud800"}`,
      String.raw`{"token":"${second.key.secret}","source":"commit\u0000"}`,
      String.raw`{"token":"${second.key.secret}","type":"\udfff"}`,
      String.raw`{"token":"${second.key.secret}\ud800"}`,
    ];
    for (const item of bad) {
      const answer = await api.call("/api/v1/leaked-keys", {
        key: adminKey,
        raw: `[{"token":"${first.key.secret}"},${item}]`,
      });
      expect([item, answer.status, answer.body.error?.code]).toEqual([item, 400, "invalid_request"]);
      expect(answer.body.error?.message).toMatch(/valid Unicode text/);
    }
    for (const leaked of [first, second]) {
      expect(await keyRow(leaked.key.id)).toMatchObject({ revokedAt: null, leakedAt: null });
      expect((await api.call("/api/v1/viewer", { key: leaked.key.secret })).status).toBe(200);
      expect(
        await db.auditEvent.count({ where: { action: "api_key.leaked", targetId: leaked.accountId } }),
      ).toBe(0);
    }
  });

  it("stores where a key was found as valid text, however long the url", async () => {
    const adminKey = await betaAdminKey();
    // Emoji are two UTF-16 units each: with either parity of the prefix, the 500-unit cut of
    // "where found" falls inside one of these two urls' emoji, and half of one is a lone surrogate.
    for (const url of [`https://x/${"😀".repeat(900)}`, `https://x/a${"😀".repeat(900)}`]) {
      const leaked = await freshKey(world, "beta");
      const answer = await api.call("/api/v1/leaked-keys", {
        key: adminKey,
        body: [{ token: leaked.key.secret, url }],
      });
      expect(answer.body.results).toEqual([{ tokenHash: sha(leaked.key.secret), status: "revoked" }]);
      const { leakSource } = await keyRow(leaked.key.id);
      expect(leakSource!.length).toBeGreaterThanOrEqual(499);
      expect(leakSource!.length).toBeLessThanOrEqual(500);
      expect(isWellFormedText(leakSource!)).toBe(true);
      const event = await db.auditEvent.findFirstOrThrow({
        where: { action: "api_key.leaked", targetId: leaked.accountId },
      });
      expect((event.metadata as { foundAt: string }).foundAt).toBe(leakSource);
    }
  });

  it("revokes a leaked access token at once: it answers 401, the report is audited, a second report is unknown", async () => {
    const adminKey = await betaAdminKey();
    const leaked = await freshAccessToken("beta");
    const outOfReach = await freshAccessToken("alpha");
    expect((await api.call("/api/v1/viewer", { key: leaked.token })).status).toBe(200);
    const answer = await api.call("/api/v1/leaked-keys", {
      key: adminKey,
      body: [
        { token: leaked.token, type: "deputy_access_token", url: "https://ci.example/run/7", source: "logs" },
        { token: outOfReach.token },
      ],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.results).toEqual([
      { tokenHash: sha(leaked.token), status: "revoked" },
      { tokenHash: sha(outOfReach.token), status: "unknown" },
    ]);
    expect(answer.text).not.toContain(leaked.token);
    const refused = await api.call("/api/v1/viewer", { key: leaked.token });
    expect([refused.status, refused.body.error?.code]).toEqual([401, "invalid_credential"]);
    expect((await api.call("/api/v1/viewer", { key: outOfReach.token })).status).toBe(200);
    expect(await db.accessToken.count({ where: { serviceAccountId: leaked.accountId } })).toBe(0);

    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "access_token.leaked", targetId: leaked.accountId },
    });
    expect(event).toMatchObject({ actorType: "SERVICE_ACCOUNT", targetType: "service_account" });
    expect(event.metadata).toMatchObject({
      issuer: idp.issuer,
      subject: `repo:acme/${leaked.name}:ref:refs/heads/main`,
      foundAt: expect.stringMatching(/logs — https:\/\/ci.example\/run\/7$/) as string,
      type: "deputy_access_token",
      grantId: expect.any(String) as string,
    });
    expect(JSON.stringify(event)).not.toContain(leaked.token.slice(17, 49));
    expect(await db.auditEvent.count({ where: { action: "access_token.leaked" } })).toBe(1);

    // Deleted already: nothing left to revoke, so the answer is "unknown" and nothing is audited.
    const again = await api.call("/api/v1/leaked-keys", { key: adminKey, body: [{ token: leaked.token }] });
    expect(again.body.results).toEqual([{ tokenHash: sha(leaked.token), status: "unknown" }]);
    expect(await db.auditEvent.count({ where: { action: "access_token.leaked" } })).toBe(1);
  });

  it("answers unknown for an expired access token and one with the wrong secret", async () => {
    const adminKey = await betaAdminKey();
    const expired = await freshAccessToken("beta");
    await db.accessToken.updateMany({
      where: { serviceAccountId: expired.accountId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const halfRight = await freshAccessToken("beta");
    const wrongSecret = halfRight.token.replace(/_(.)/, (_m, c: string) => `_${c === "A" ? "B" : "A"}`);
    const answer = await api.call("/api/v1/leaked-keys", {
      key: adminKey,
      body: [{ token: expired.token }, { token: wrongSecret }],
    });
    expect(answer.body.results).toEqual([
      { tokenHash: sha(expired.token), status: "unknown" },
      { tokenHash: sha(wrongSecret), status: "unknown" },
    ]);
    expect((await api.call("/api/v1/viewer", { key: halfRight.token })).status).toBe(200);
    expect(
      await db.auditEvent.count({
        where: { action: "access_token.leaked", targetId: { in: [expired.accountId, halfRight.accountId] } },
      }),
    ).toBe(0);
  });

  it("revokes an access token named in a signed secret-scanning report, with the keys read at start-up", async () => {
    const leaked = await freshAccessToken("alpha");
    const raw = JSON.stringify([{ token: leaked.token, type: "deputy_access_token", source: "commit" }]);
    const signature = crypto.sign("sha256", Buffer.from(raw), scanner.privateKey).toString("base64");
    // The file going away after start-up changes nothing: the keys were read when Deputy started.
    fs.renameSync(scanningKeysFile, `${scanningKeysFile}.gone`);
    try {
      const answer = await api.call("/api/v1/leaked-keys", {
        raw,
        headers: { "github-public-key-signature": signature },
      });
      expect(answer.status).toBe(200);
      expect(answer.body.results).toEqual([{ tokenHash: sha(leaked.token), status: "revoked" }]);
    } finally {
      fs.renameSync(`${scanningKeysFile}.gone`, scanningKeysFile);
    }
    expect((await api.call("/api/v1/viewer", { key: leaked.token })).status).toBe(401);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "access_token.leaked", targetId: leaked.accountId },
    });
    expect(event.actorType).toBe("SYSTEM");
  });
});

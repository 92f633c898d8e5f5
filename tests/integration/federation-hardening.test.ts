// Issue 15's federation defects, each over HTTP on the real database (both engines): a ReDoS by an
// anonymous caller, exchanges that crossed organizations, refusals that told strangers an
// account's trust settings, candidates left out, refusals not audited or not counted, text a
// database cannot store, key-set refreshes per account, federated accounts never "used", private
// issuers on other loopback addresses, and access tokens in URLs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { base64url } from "jose";
import { db } from "@/lib/db";
import {
  createApiKeyFromForm,
  createServiceAccountFromForm,
  setServiceAccountStatusFromForm,
  updateAccount,
} from "@/lib/service-accounts";
import { addIdentityProvider } from "@/lib/federation/providers";
import { startApiServer } from "../support/api-server";
import { startLocalIssuer, type LocalIssuer } from "../support/local-issuer";
import { makeOrg } from "../support/factories";

type Api = Awaited<ReturnType<typeof startApiServer>>;
type World = Awaited<ReturnType<typeof makeOrg>>;

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
const DOMAIN = "deputy.local";

let api: Api;
let idp: LocalIssuer;

beforeAll(async () => {
  api = await startApiServer({ failLimit: 10_000 });
  idp = await startLocalIssuer();
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

async function exchangeOn(server: Api, jwt: string, extra: Record<string, string> = {}) {
  const answer = await server.call("/api/v1/oauth/token", {
    raw: new URLSearchParams({
      grant_type: GRANT,
      subject_token: jwt,
      subject_token_type: JWT_TYPE,
      ...extra,
    }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  return answer as typeof answer & {
    body: { error?: unknown; error_description?: string; access_token?: string };
  };
}
const exchange = (jwt: string, extra: Record<string, string> = {}) => exchangeOn(api, jwt, extra);

/** A JWT with any header and claims and a signature that verifies with nothing. */
function forged(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256", kid: "rsa-1" },
) {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${enc({ typ: "JWT", ...header })}.${enc(claims)}.${base64url.encode("not a signature at all")}`;
}

async function federatedAccount(
  world: World,
  name: string,
  trust: { subject: string; audience?: string; claims?: Record<string, string>; issuer?: string },
) {
  const issuer = trust.issuer ?? idp.issuer;
  const created = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name, authMethod: "FEDERATED", issuer, subject: trust.subject, audience: trust.audience ?? "deputy" },
  );
  if (trust.claims) {
    await updateAccount(world.as.orgAdmin, created.id, {
      federation: {
        issuer,
        subject: trust.subject,
        audience: trust.audience ?? "deputy",
        claims: trust.claims,
      },
    });
  }
  return created.id;
}

async function viewerOf(token: string) {
  return (await api.call("/api/v1/viewer", { key: token })).body as {
    principal?: { id: string; organization: string };
  };
}

async function refusalsIn(orgId: string) {
  return db.auditEvent.findMany({
    where: { orgId, action: "token_exchange.refused" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { metadata: true, targetId: true },
  });
}

describe("[SECURITY][REDOS] subject patterns cannot stall the server", () => {
  it("refuses the review's crafted forgery at once, and an unrelated request is not held up", async () => {
    const world = await makeOrg();
    await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "CI" });
    await federatedAccount(world, "redos-target", { subject: "repo:*/*:*:ref:refs/heads/main" });
    const { id: keyed } = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      { name: "bystander" },
    );
    const { secret } = await createApiKeyFromForm(world.as.orgAdmin, keyed, { name: "k" });
    const now = Math.floor(Date.now() / 1000);
    const crafted = "repo:" + "/:".repeat(2000);
    const attack = forged({ iss: idp.issuer, aud: "deputy", sub: crafted, iat: now, exp: now + 600 });
    expect(attack.length).toBeGreaterThan(4000);

    const started = performance.now();
    const [refused, bystander] = await Promise.all([
      exchange(attack),
      (async () => {
        const at = performance.now();
        const answer = await api.call("/api/v1/viewer", { key: secret });
        return { status: answer.status, ms: performance.now() - at };
      })(),
    ]);
    const attackMs = performance.now() - started;
    // Over the bound on sub's length: refused before anything else is looked at.
    expect([refused.status, refused.body.error_description]).toEqual([
      400,
      expect.stringMatching(/^Format check failed: The token's sub is longer than 1024 characters/),
    ]);
    expect(bystander.status).toBe(200);
    // The backtracking regex needed ~10 s for this and held every other request meanwhile.
    expect(attackMs).toBeLessThan(1000);
    expect(bystander.ms).toBeLessThan(1000);

    // Under the bound, a forgery is refused on its signature before any pattern sees its subject…
    const underBound = forged({
      iss: idp.issuer,
      aud: "deputy",
      sub: "repo:" + "/:".repeat(500),
      iat: now,
      exp: now + 600,
    });
    const forgedStarted = performance.now();
    expect((await exchange(underBound)).body.error_description).toMatch(/^Signature check failed/);
    expect(performance.now() - forgedStarted).toBeLessThan(1000);
    // …and validly signed, the same subject is matched in linear time and refused on the subject…
    const signed = await idp.mint({ sub: "repo:" + "/:".repeat(500) });
    const signedStarted = performance.now();
    expect((await exchange(signed)).body.error_description).toMatch(/^Subject check failed/);
    expect(performance.now() - signedStarted).toBeLessThan(1000);
    // …and a subject over the bound is refused before any pattern sees it.
    const tooLong = await idp.mint({ sub: "repo:" + "/:".repeat(2000) });
    expect((await exchange(tooLong)).body.error_description).toMatch(
      /^Format check failed: The token's sub is longer than 1024 characters/,
    );
  });
});

describe("[SECURITY][CROSS_ORG] a token only ever matches accounts of one organization (rule 5)", () => {
  let a: World;
  let b: World;
  let aAccount: string;
  let bAccount: string;
  const trust = { subject: "repo:acme/*:ref:refs/heads/main", claims: { repository_owner: "acme" } };
  const token = () => idp.mint({ repository_owner: "acme" });

  beforeAll(async () => {
    a = await makeOrg();
    b = await makeOrg();
    await addIdentityProvider(a.as.orgAdmin, a.org.slug, { issuer: idp.issuer, name: "CI" });
    aAccount = await federatedAccount(a, "fed-train", trust);
  });

  it("grants A's account while only A trusts the token", async () => {
    const granted = await exchange(await token());
    expect(granted.status).toBe(200);
    expect((await viewerOf(granted.body.access_token!)).principal?.id).toBe(aAccount);
  });

  it("never lets B's identically named account take A's token, nor name it in a refusal", async () => {
    await addIdentityProvider(b.as.orgAdmin, b.org.slug, { issuer: idp.issuer, name: "Same CI" });
    bAccount = await federatedAccount(b, "fed-train", trust);
    for (const extra of [{}, { service_account: "fed-train" }] as Record<string, string>[]) {
      const refused = await exchange(await token(), extra);
      expect([refused.status, refused.body.error]).toEqual([400, "invalid_request"]);
      expect(refused.body.error_description).toMatch(/more than one organization.*service_account=<name>@/);
      expect(refused.text).not.toContain("fed-train");
      expect(refused.text).not.toContain(a.org.slug);
      expect(refused.text).not.toContain(b.org.slug);
    }
    // Audited in both organizations: each admin sees their exchange was refused and why.
    expect((await refusalsIn(a.org.id)).length).toBeGreaterThanOrEqual(2);
    expect((await refusalsIn(b.org.id)).length).toBeGreaterThanOrEqual(2);

    // With A's account disabled, B's account still never receives A's token.
    await setServiceAccountStatusFromForm(a.as.orgAdmin, aAccount, { status: "DISABLED" });
    try {
      const refused = await exchange(await token(), { service_account: "fed-train" });
      expect(refused.status).toBe(400);
      expect(refused.body.access_token).toBeUndefined();
      const pinnedToA = await exchange(await token(), {
        service_account: `fed-train@${a.org.slug}.sa.${DOMAIN}`,
      });
      expect(pinnedToA.body.error_description).toMatch(/^Account status check failed/);
    } finally {
      await setServiceAccountStatusFromForm(a.as.orgAdmin, aAccount, { status: "ACTIVE" });
    }
    expect(await db.accessToken.count({ where: { serviceAccountId: bAccount } })).toBe(0);
  });

  it("decides inside the organization the caller names, by identity or by id", async () => {
    const toA = await exchange(await token(), { service_account: `fed-train@${a.org.slug}.sa.${DOMAIN}` });
    expect((await viewerOf(toA.body.access_token!)).principal).toMatchObject({
      id: aAccount,
      organization: a.org.slug,
    });
    const toB = await exchange(await token(), { service_account: bAccount });
    expect((await viewerOf(toB.body.access_token!)).principal).toMatchObject({
      id: bAccount,
      organization: b.org.slug,
    });
  });

  it("lets another organization's unrelated trust settings change nothing for A", async () => {
    await updateAccount(b.as.orgAdmin, bAccount, {
      federation: { issuer: idp.issuer, subject: "repo:beta/*", audience: "deputy", claims: {} },
    });
    const granted = await exchange(await token());
    expect((await viewerOf(granted.body.access_token!)).principal?.id).toBe(aAccount);
  });

  it("never verifies a token with another organization's keys for the same issuer", async () => {
    // Org C registers A's issuer URL with a key set of its own (an explicit JWKS URL) and signs
    // tokens that claim to come from A's issuer: they must never reach A's account.
    const rogue = await startLocalIssuer();
    try {
      const c = await makeOrg();
      await addIdentityProvider(c.as.orgAdmin, c.org.slug, {
        issuer: idp.issuer,
        name: "Not really A's CI",
        jwksUri: `${rogue.issuer}/jwks`,
      });
      const minted = await rogue.mint({ iss: idp.issuer, repository_owner: "acme" });
      const refused = await exchange(minted);
      expect(refused.body.error_description).toMatch(/^Audience check failed/);
      // Pinned to A, it matches nothing: C's keys verified it, and A's account is not C's.
      const pinned = await exchange(minted, { service_account: `fed-train@${a.org.slug}.sa.${DOMAIN}` });
      expect(pinned.body.error_description).toMatch(/^Audience check failed/);
      expect(refused.body.access_token ?? pinned.body.access_token).toBeUndefined();
    } finally {
      await rogue.close();
    }
  });
});

describe("[FEDERATION] every candidate, audited ambiguity", () => {
  it("decides on all 22 accounts that trust one issuer, in a stable order", async () => {
    const world = await makeOrg();
    const issuer = await startLocalIssuer();
    try {
      await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: issuer.issuer, name: "CI" });
      const ids: string[] = [];
      for (let i = 1; i <= 22; i += 1) {
        const n = String(i).padStart(2, "0");
        ids.push(
          await federatedAccount(world, `many-${n}`, { issuer: issuer.issuer, subject: `repo:acme/r${n}:*` }),
        );
      }
      for (const i of [1, 20, 21, 22]) {
        const n = String(i).padStart(2, "0");
        const granted = await exchange(await issuer.mint({ sub: `repo:acme/r${n}:ref:refs/heads/main` }));
        expect([i, granted.status]).toEqual([i, 200]);
        expect((await viewerOf(granted.body.access_token!)).principal?.id).toBe(ids[i - 1]);
      }
    } finally {
      await issuer.close();
    }
  });

  it("audits the refusal when several accounts of one organization trust the token", async () => {
    const world = await makeOrg();
    const issuer = await startLocalIssuer();
    try {
      await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: issuer.issuer, name: "CI" });
      await federatedAccount(world, "twin-one", { issuer: issuer.issuer, subject: "repo:acme/*" });
      await federatedAccount(world, "twin-two", { issuer: issuer.issuer, subject: "repo:acme/models:*" });
      const refused = await exchange(await issuer.mint({}));
      expect([refused.status, refused.body.error]).toEqual([400, "invalid_request"]);
      expect(refused.body.error_description).toMatch(
        /^2 service accounts trust this token: pass service_account/,
      );
      expect(refused.text).not.toMatch(/twin-/);
      const [event] = await refusalsIn(world.org.id);
      expect((event!.metadata as { reason: string }).reason).toMatch(/twin-one, twin-two/);
    } finally {
      await issuer.close();
    }
  });
});

describe("[SECURITY][TEXT] text a database cannot store is a counted, audited refusal", () => {
  it("refuses a lone surrogate in a claim and a NUL in a field with 400, and counts both", async () => {
    const limited = await startApiServer({ failLimit: 5 });
    try {
      const now = Math.floor(Date.now() / 1000);
      const before = await db.auditEvent.count({ where: { action: "token_exchange.refused" } });
      const statuses: number[] = [];
      const lone = forged({ iss: idp.issuer, aud: "deputy", sub: "\ud800", iat: now, exp: now + 600 });
      expect(lone).not.toContain("\\ud800"); // base64url of the escaped JSON, as an attacker sends it
      for (let i = 0; i < 3; i += 1) {
        const answer = await exchangeOn(limited, lone);
        statuses.push(answer.status);
        if (answer.status === 400)
          expect(answer.body.error_description).toMatch(
            /^Format check failed: The token's sub is not valid Unicode/,
          );
      }
      const signedLone = await idp.mint({ workflow: "train\ud800" });
      const signed = await exchangeOn(limited, signedLone);
      statuses.push(signed.status);
      expect(signed.body.error_description).toMatch(/workflow is not valid Unicode/);
      const nul = await exchangeOn(limited, await idp.mint({}), { service_account: "fed\u0000train" });
      statuses.push(nul.status);
      expect(nul.body).toMatchObject({ error: "invalid_request" });
      const after = await exchangeOn(limited, lone);
      statuses.push(after.status);
      expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
      // The four token refusals were audited (the NUL form was refused before any token was read).
      expect(await db.auditEvent.count({ where: { action: "token_exchange.refused" } })).toBe(before + 4);
    } finally {
      await limited.close();
    }
  });
});

describe("[FEDERATION][JWKS] one refresh per provider, whatever the number of accounts", () => {
  it("makes at most one key-set fetch for 40 unknown-kid tokens with 6 accounts trusting the issuer", async () => {
    const world = await makeOrg();
    const issuer = await startLocalIssuer();
    try {
      await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: issuer.issuer, name: "CI" });
      for (let i = 0; i < 6; i += 1)
        await federatedAccount(world, `kid-${i}`, { issuer: issuer.issuer, subject: "*" });
      const fetchesBefore = issuer.jwksFetches;
      const tokens = await Promise.all(
        Array.from({ length: 40 }, (_, i) => issuer.mint({}, { kid: `made-up-${i}` })),
      );
      for (const [i, token] of tokens.entries()) {
        // Half in parallel bursts, half one by one: neither may fetch again within the minute.
        if (i < 20) await exchange(token);
      }
      await Promise.all(tokens.slice(20).map((t) => exchange(t)));
      expect(issuer.jwksFetches - fetchesBefore).toBeLessThanOrEqual(1);
    } finally {
      await issuer.close();
    }
  });
});

describe("[FEDERATION][USAGE] access tokens record their account's last use", () => {
  it("sets a federated account's lastUsedAt in the batch, only moving it forward", async () => {
    const world = await makeOrg();
    await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "CI" });
    const id = await federatedAccount(world, "busy-fed", { subject: "repo:acme/models:*" });
    const granted = await exchange(await idp.mint({}), { service_account: "busy-fed" });
    expect(granted.status).toBe(200);
    expect((await db.serviceAccount.findUniqueOrThrow({ where: { id } })).lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await api.call("/api/v1/viewer", { key: granted.body.access_token! })).status).toBe(200);
    await api.flush();
    const used = (await db.serviceAccount.findUniqueOrThrow({ where: { id } })).lastUsedAt;
    expect(used!.getTime()).toBeGreaterThanOrEqual(before - 5);
  });
});

describe("[FEDERATION][ISSUERS] DEPUTY_ALLOW_PRIVATE_ISSUERS is one rule for every loopback address", () => {
  it("registers an issuer on 127.0.0.2 and lets an account trust it and exchange its tokens", async () => {
    const world = await makeOrg();
    const other = await startLocalIssuer({ host: "127.0.0.2" });
    try {
      await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: other.issuer, name: "Inside" });
      const id = await federatedAccount(world, "on-127-0-0-2", {
        issuer: other.issuer,
        subject: "repo:acme/*",
      });
      const granted = await exchange(await other.mint({}));
      expect(granted.status).toBe(200);
      expect((await viewerOf(granted.body.access_token!)).principal?.id).toBe(id);
    } finally {
      await other.close();
    }
  });
});

describe("[SECURITY][URL] credentials in URLs and separate failure budgets", () => {
  it("answers an access token in a query string with the credential-in-URL 400", async () => {
    const world = await makeOrg();
    await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "CI" });
    await federatedAccount(world, "url-fed", { subject: "repo:acme/models:*" });
    const { body } = await exchange(await idp.mint({}), { service_account: "url-fed" });
    const answer = await api.call(`/api/v1/viewer?access=${body.access_token!}`, { key: body.access_token! });
    expect([answer.status, answer.body.error?.code]).toEqual([400, "invalid_request"]);
    expect(answer.body.error?.message).toMatch(/only in the Authorization header/);
  });

  it("keeps refused exchanges and failed API keys on budgets of their own", async () => {
    const limited = await startApiServer({ failLimit: 3 });
    try {
      const world = await makeOrg();
      const { id } = await createServiceAccountFromForm(
        world.as.orgAdmin,
        { teamSlug: world.alpha.slug },
        { name: "nat-key" },
      );
      const { secret } = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "k" });
      for (let i = 0; i < 3; i += 1) expect((await exchangeOn(limited, "not-a-jwt")).status).toBe(400);
      expect((await exchangeOn(limited, "not-a-jwt")).status).toBe(429);
      // The broken workload behind the same address locks out no API key…
      expect((await limited.call("/api/v1/viewer", { key: secret })).status).toBe(200);
      const badKey = `${secret.slice(0, -8)}AAAAAAAA`;
      for (let i = 0; i < 3; i += 1)
        expect((await limited.call("/api/v1/viewer", { key: badKey })).status).toBe(401);
      expect((await limited.call("/api/v1/viewer", { key: secret })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe("[SECURITY][CROSS_ORG] a signature decision is reused only for the keys it was made with", () => {
  it("never grants a victim's account to a rogue org that copied, then swapped, the issuer's key set", async () => {
    // The rogue registers the same issuer first (its provider sorts first) with a key-set URL of
    // its own that serves a verbatim copy of the issuer's keys, then swaps in its own key.
    const { generateKeyPair, exportJWK, SignJWT } = await import("jose");
    const http = await import("node:http");
    let served: unknown = { keys: idp.publicKeys() };
    const rogueServer = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => rogueServer.listen(0, "127.0.0.1", resolve));
    try {
      const port = (rogueServer.address() as { port: number }).port;
      const rogue = await makeOrg();
      await addIdentityProvider(rogue.as.orgAdmin, rogue.org.slug, {
        issuer: idp.issuer,
        name: "Copied keys",
        jwksUri: `http://127.0.0.1:${port}/jwks`,
      });
      const victim = await makeOrg();
      await addIdentityProvider(victim.as.orgAdmin, victim.org.slug, { issuer: idp.issuer, name: "CI" });
      const victimAccount = await federatedAccount(victim, "deployer", { subject: "repo:victim/*" });
      const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
      served = { keys: [{ ...(await exportJWK(publicKey)), kid: "evil", alg: "RS256", use: "sig" }] };
      const now = Math.floor(Date.now() / 1000);
      const forgedByRogue = await new SignJWT({ aud: "deputy", sub: "repo:victim/app" })
        .setProtectedHeader({ alg: "RS256", kid: "evil" })
        .setIssuer(idp.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      for (const extra of [{}, { service_account: "deployer" }] as Record<string, string>[]) {
        const answer = await exchange(forgedByRogue, extra);
        expect(answer.status).toBe(400);
        expect(answer.body.access_token).toBeUndefined();
      }
      expect(await db.accessToken.count({ where: { serviceAccountId: victimAccount } })).toBe(0);
    } finally {
      await new Promise<void>((resolve) => rogueServer.close(() => resolve()));
    }
  });
});

describe("[SECURITY][TEXT] odd headers, times and claim names are refusals, never 500s", () => {
  it("refuses a non-string alg, out-of-range times and survives a claim condition named constructor", async () => {
    const world = await makeOrg();
    await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "CI" });
    await federatedAccount(world, "odd-claims", {
      subject: "repo:odd/*",
      claims: { constructor: "x", toString: "y" },
    });
    const now = Math.floor(Date.now() / 1000);
    const objectAlg = forged(
      { iss: idp.issuer, aud: "deputy", sub: "repo:odd/a", iat: now, exp: now + 60 },
      {
        alg: { toString: 1 },
      },
    );
    expect((await exchange(objectAlg)).body.error_description).toMatch(/^Format check failed: .*alg/);
    const farPast = await idp.mint({ sub: "repo:odd/a" }, { iat: 1e20 });
    const farPastAnswer = await exchange(farPast);
    expect([farPastAnswer.status, farPastAnswer.body.error_description]).toEqual([
      400,
      expect.stringMatching(/^Lifetime check failed: exp, nbf and iat must be times/),
    ]);
    const claimsAnswer = await exchange(await idp.mint({ sub: "repo:odd/a" }), {
      service_account: "odd-claims",
    });
    expect([claimsAnswer.status, claimsAnswer.body.error_description]).toEqual([
      400,
      expect.stringMatching(/^Claims check failed/),
    ]);
  });
});

describe("[FEDERATION][FETCH] a key-set server that drips cannot hold a refresh", () => {
  it("gives up on the whole fetch after the deadline, however the bytes trickle in", async () => {
    const { fetchJson, FETCH_TIMEOUT_MS } = await import("@/lib/federation/fetch");
    const http = await import("node:http");
    const drip = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const timer = setInterval(() => res.write(" "), 500);
      res.on("close", () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => drip.listen(0, "127.0.0.1", resolve));
    try {
      const port = (drip.address() as { port: number }).port;
      const started = Date.now();
      await expect(fetchJson(`http://127.0.0.1:${port}/jwks`, { allowPrivate: true })).rejects.toThrow(
        /did not answer within/,
      );
      expect(Date.now() - started).toBeLessThan(FETCH_TIMEOUT_MS + 1500);
    } finally {
      drip.closeAllConnections();
      await new Promise<void>((resolve) => drip.close(() => resolve()));
    }
  });
});

// Federation end to end over HTTP on the real database (rules 18–20): a local issuer, its
// registration, the RFC 8693 exchange with every refusal of rule 18 as its own case, access
// tokens on every route, key rotation, audit, and a third-party OAuth client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oauth from "oauth4webapi";
import { SignJWT, base64url } from "jose";
import { db } from "@/lib/db";
import {
  createServiceAccountFromForm,
  setServiceAccountStatusFromForm,
  updateAccount,
  deleteServiceAccountFromForm,
} from "@/lib/service-accounts";
import {
  addIdentityProvider,
  listIdentityProviders,
  removeIdentityProvider,
} from "@/lib/federation/providers";
import { testTokenForAccount } from "@/lib/federation/test-token";
import { fetchJson, isPrivateAddress } from "@/lib/federation/fetch";
import { AppError } from "@/lib/errors";
import { startApiServer } from "../support/api-server";
import { startLocalIssuer, type LocalIssuer } from "../support/local-issuer";
import { makeOrg } from "../support/factories";

let api: Awaited<ReturnType<typeof startApiServer>>;
let idp: LocalIssuer;
let world: Awaited<ReturnType<typeof makeOrg>>;
let accountId: string;
const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

beforeAll(async () => {
  // Refusals count toward the per-address limit; this file sends many on purpose.
  api = await startApiServer({ failLimit: 1000 });
  idp = await startLocalIssuer();
  world = await makeOrg();
  await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "Local CI" });
  const created = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    {
      name: "gha-train",
      authMethod: "FEDERATED",
      issuer: idp.issuer,
      subject: "repo:acme/*:ref:refs/heads/main",
      audience: "deputy",
    },
  );
  accountId = created.id;
  await updateAccount(world.as.orgAdmin, accountId, {
    federation: {
      issuer: idp.issuer,
      subject: "repo:acme/*:ref:refs/heads/main",
      audience: "deputy",
      claims: { repository_owner: "acme", workflow: "train*" },
    },
  });
});
afterAll(async () => {
  await api.close();
  await idp.close();
});

const goodClaims = {
  repository_owner: "acme",
  workflow: "train-nightly",
  repository: "acme/models",
  run_id: "42",
  actor: "octocat",
};

async function exchange(jwt: string, extra: Record<string, string> = {}) {
  const form = new URLSearchParams({
    grant_type: GRANT,
    subject_token: jwt,
    subject_token_type: JWT_TYPE,
    ...extra,
  });
  const answer = await api.call("/api/v1/oauth/token", {
    raw: form.toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  return answer as typeof answer & {
    body: { error?: unknown; error_description?: string; access_token?: string };
  };
}

describe("identity providers", () => {
  it("fetches discovery and keys before saving, and lists who trusts each", async () => {
    const [provider] = await listIdentityProviders(world.as.orgAdmin, world.org.slug);
    expect(provider).toMatchObject({
      issuer: idp.issuer,
      keyCount: 2,
      resolvedJwksUri: `${idp.issuer}/jwks`,
    });
    expect(provider!.trustedBy.map((t) => t.name)).toEqual(["gha-train"]);
    await expect(
      removeIdentityProvider(world.as.orgAdmin, world.org.slug, provider!.id),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/trusted by gha-train/) as string,
    });
  });

  it("says exactly what failed when an issuer cannot be used, and saves nothing", async () => {
    const other = await makeOrg();
    const attempt = (issuer: string, jwksUri?: string) =>
      addIdentityProvider(other.as.orgAdmin, other.org.slug, { issuer, name: "x", jwksUri }).then(
        () => "saved",
        (error: AppError) => error.message,
      );
    expect(await attempt("http://127.0.0.1:9")).toMatch(/could not be fetched \(ECONNREFUSED\)/);
    idp.lieAboutIssuer("https://someone-else.example");
    expect(await attempt(idp.issuer)).toMatch(/names the issuer "https:\/\/someone-else.example", not http/);
    idp.lieAboutIssuer(null);
    expect(await attempt(idp.issuer, `${idp.issuer}/nothing-here`)).toMatch(/answered HTTP 404/);
    expect(await attempt("ftp://example.com")).toMatch(/https:\/\//);
    expect(await db.identityProvider.count({ where: { orgId: other.org.id } })).toBe(0);
    // A member of the org may not register issuers.
    await expect(
      addIdentityProvider(world.as.orgMember, world.org.slug, { issuer: idp.issuer, name: "x" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("refuses private and loopback addresses and other schemes unless allowed (SSRF)", async () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "0.0.0.0",
    ]) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
    expect(isPrivateAddress("8.8.8.8")).toBe(false);
    await expect(fetchJson(`${idp.issuer}/jwks`, { allowPrivate: false })).rejects.toThrow(/not https/);
    await expect(fetchJson("https://127.0.0.1:1/jwks", { allowPrivate: false })).rejects.toThrow(
      /private address \(127\.0\.0\.1\)/,
    );
    await expect(
      fetchJson("https://169.254.169.254/latest/meta-data", { allowPrivate: false }),
    ).rejects.toThrow(/private address/);
    await expect(fetchJson("https://localhost:1/x", { allowPrivate: false })).rejects.toThrow(
      /private address/,
    );
  });

  it("follows redirects on the same host only", async () => {
    await expect(fetchJson(`${idp.issuer}/moved-here`, { allowPrivate: true })).resolves.toMatchObject({
      keys: expect.any(Array) as unknown[],
    });
    await expect(fetchJson(`${idp.issuer}/moved-away`, { allowPrivate: true })).rejects.toThrow(
      /redirects to another host \(localhost:\d+\); Deputy does not follow it/,
    );
  });

  it("requires a federated account's issuer to be a registered provider of its org", async () => {
    await expect(
      updateAccount(world.as.orgAdmin, accountId, {
        federation: {
          issuer: "https://token.actions.githubusercontent.com",
          subject: "x",
          audience: "deputy",
        },
      }),
    ).rejects.toMatchObject({
      code: "INVALID",
      message: expect.stringMatching(/not a registered identity provider/) as string,
    });
  });
});

describe("token exchange (rule 18)", () => {
  it("follows a key rotation, refreshing on an unknown kid at most once a minute", async () => {
    const before = idp.jwksFetches;
    const kid = await idp.rotate();
    const rotated = await exchange(await idp.mint(goodClaims));
    expect(rotated.status).toBe(200);
    expect(idp.jwksFetches).toBe(before + 1);
    // A flood of unknown key ids cannot make Deputy hammer the issuer.
    for (let i = 0; i < 20; i += 1) await exchange(await idp.mint(goodClaims, { kid: `flood-${i}` }));
    expect(idp.jwksFetches).toBe(before + 1);
    expect(
      (await db.identityProvider.findFirstOrThrow({ where: { orgId: world.org.id } })).jwks,
    ).toMatchObject({
      keys: expect.arrayContaining([expect.objectContaining({ kid })]) as unknown,
    });
  });

  it("grants an access token that every route accepts, then refuses it once the account is disabled", async () => {
    const answer = await exchange(await idp.mint(goodClaims));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
      token_type: "Bearer",
      expires_in: 3600,
    });
    const token = answer.body.access_token!;
    expect(token).toMatch(/^dpa_/);
    const viewer = await api.call("/api/v1/viewer", { key: token });
    expect(viewer.body).toMatchObject({
      principal: { name: "gha-train", scope: "team" },
      credential: { type: "access_token", name: null },
    });
    const run = await api.call("/api/v1/runs", {
      key: token,
      body: { project: "federated-runs", name: "from-ci" },
    });
    expect(run.status).toBe(201);
    const runs = await api.call(`/api/v1/projects/${world.alpha.slug}/federated-runs/runs`, { key: token });
    expect((runs.body.runs as { workload: Record<string, unknown> }[])[0]!.workload).toMatchObject({
      repository: "acme/models",
      run_id: "42",
      actor: "octocat",
      repository_owner: "acme",
    });

    await setServiceAccountStatusFromForm(world.as.orgAdmin, accountId, { status: "DISABLED" });
    try {
      expect((await api.call("/api/v1/viewer", { key: token })).body.error?.code).toBe("account_disabled");
      const again = await exchange(await idp.mint(goodClaims));
      expect([again.status, again.body.error]).toEqual([400, "invalid_grant"]);
      expect(again.body.error_description).toMatch(/^Account status check failed: .* is disabled/);
      expect(again.body.error_description).not.toContain("gha-train");
    } finally {
      await setServiceAccountStatusFromForm(world.as.orgAdmin, accountId, { status: "ACTIVE" });
    }
    expect((await api.call("/api/v1/viewer", { key: token })).status).toBe(200);
  });

  it("refuses every case of rule 18 with its reason, never echoing the token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const publicJwk = idp.publicKeys()[0]!;
    const cases: [string, string, () => Promise<string>, RegExp][] = [
      [
        "wrong signature",
        "Signature",
        async () => {
          const token = await idp.mint(goodClaims);
          const [h, p] = token.split(".");
          const other = await idp.mint({ ...goodClaims, sub: "repo:acme/other:ref:refs/heads/main" });
          return `${h}.${p}.${other.split(".")[2]}`;
        },
        /signature does not verify/,
      ],
      [
        "unknown kid",
        "Signature",
        () => idp.mint(goodClaims, { kid: "never-published" }),
        /No key of the issuer has key id "never-published"/,
      ],
      [
        "alg none",
        "Signature",
        async () => {
          const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
          return `${enc({ alg: "none", typ: "JWT" })}.${enc({ iss: idp.issuer, aud: "deputy", sub: "repo:acme/models:ref:refs/heads/main", iat: now, exp: now + 600, ...goodClaims })}.`;
        },
        /alg "none" is refused/,
      ],
      [
        "HS256 with the public key as the secret",
        "Signature",
        () =>
          new SignJWT({ aud: "deputy", sub: "repo:acme/models:ref:refs/heads/main", ...goodClaims })
            .setProtectedHeader({ alg: "HS256", kid: publicJwk.kid })
            .setIssuer(idp.issuer)
            .setIssuedAt(now)
            .setExpirationTime(now + 600)
            .sign(new TextEncoder().encode(JSON.stringify(publicJwk))),
        /alg "HS256" is refused.*HMAC/,
      ],
      [
        "wrong issuer",
        "Issuer",
        () => idp.mint({ ...goodClaims, iss: "https://evil.example" }),
        /No organization registered https:\/\/evil.example/,
      ],
      [
        "wrong audience",
        "Audience",
        () => idp.mint({ ...goodClaims, aud: "someone-else" }),
        /aud is "someone-else"; the account expects deputy/,
      ],
      ["missing audience", "Audience", () => idp.mint({ ...goodClaims, aud: undefined }), /aud is missing/],
      ["expired", "Lifetime", () => idp.mint(goodClaims, { iat: now - 1000, lifetimeS: 600 }), /expired at/],
      ["not yet valid", "Lifetime", () => idp.mint({ ...goodClaims, nbf: now + 600 }), /not valid before/],
      [
        "issued in the future",
        "Lifetime",
        () => idp.mint(goodClaims, { iat: now + 600 }),
        /issued in the future/,
      ],
      [
        "lifetime over 24 h",
        "Lifetime",
        () => idp.mint(goodClaims, { lifetimeS: 25 * 3600 }),
        /lives 25 h; at most 24 h/,
      ],
      [
        "subject in another org",
        "Subject",
        () => idp.mint({ ...goodClaims, sub: "repo:evil/models:ref:refs/heads/main" }),
        /sub is "[^"]*"; the pattern is repo:acme\/\*:ref:refs\/heads\/main/,
      ],
      [
        "subject: * must not run past the pattern's end",
        "Subject",
        () => idp.mint({ ...goodClaims, sub: "repo:acme/models:ref:refs/heads/main-evil" }),
        /sub is "[^"]*"; the pattern is repo:acme\/\*:ref:refs\/heads\/main/,
      ],
      [
        "subject: anchored at the start",
        "Subject",
        () => idp.mint({ ...goodClaims, sub: "xrepo:acme/models:ref:refs/heads/main" }),
        /sub is "[^"]*"; the pattern is repo:acme\/\*:ref:refs\/heads\/main/,
      ],
      [
        "claim condition missing",
        "Claims",
        () => idp.mint({ ...goodClaims, repository_owner: undefined }),
        /repository_owner is missing; the condition is acme/,
      ],
      [
        "claim condition different",
        "Claims",
        () => idp.mint({ ...goodClaims, repository_owner: "evil" }),
        /repository_owner is "evil"/,
      ],
      [
        "* in a claim does not cross into another claim",
        "Claims",
        () => idp.mint({ ...goodClaims, workflow: "deploy", repository: "train" }),
        /workflow is "deploy"; the condition is train\*/,
      ],
      [
        "oversized token",
        "Format",
        async () => `${await idp.mint(goodClaims)}${"A".repeat(17 * 1024)}`,
        /larger than 16 KB/,
      ],
      ["not a JWT", "Format", async () => "definitely-not-a-jwt", /not a JWT/],
    ];
    const seen: string[] = [];
    for (const [name, kind, make, detail] of cases) {
      const token = await make();
      const answer = await exchange(token);
      seen.push(name);
      expect([name, answer.status, answer.body.error]).toEqual([name, 400, "invalid_grant"]);
      // The caller learns which kind of check failed, never the account or its trust settings.
      const description = String(answer.body.error_description);
      expect([name, description]).toEqual([name, expect.stringMatching(new RegExp(`^${kind} check failed`))]);
      for (const secretOfTheAccount of ["gha-train", "repo:acme/*", "train*", "expects"])
        expect([name, description.includes(secretOfTheAccount)]).toEqual([name, false]);
      expect(answer.text).not.toContain(token.slice(0, 40));
      // The full reason is in the audit event, which only the org's admins read.
      const event = await db.auditEvent.findFirstOrThrow({
        where: { action: "token_exchange.refused" },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        select: { metadata: true },
      });
      const audited = event.metadata as { failedCheck?: { detail: string } | null; reason: string };
      expect([name, `${audited.failedCheck?.detail ?? ""} ${audited.reason}`]).toEqual([
        name,
        expect.stringMatching(detail),
      ]);
    }
    // Every refusal was audited, with the issuer and subject, never the token.
    const refused = await db.auditEvent.findMany({
      where: { action: "token_exchange.refused" },
      select: { metadata: true, targetId: true },
    });
    expect(refused.length).toBeGreaterThanOrEqual(cases.length);
    expect(JSON.stringify(refused)).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}/);
    expect(
      refused.some(
        (e) =>
          e.targetId === accountId &&
          (e.metadata as { failedCheck?: { check: string } }).failedCheck?.check === "subject",
      ),
    ).toBe(true);
    console.log(`Federation: ${seen.length} refusal cases of rule 18 tested`);
  });

  it("refuses malformed requests in RFC 6749's shape", async () => {
    const post = (form: string, type = "application/x-www-form-urlencoded") =>
      api.call("/api/v1/oauth/token", { raw: form, headers: { "content-type": type } });
    const jwt = await idp.mint(goodClaims);
    const cases: [string, string, string][] = [
      [
        `grant_type=client_credentials&subject_token=${jwt}&subject_token_type=${JWT_TYPE}`,
        "unsupported_grant_type",
        "application/x-www-form-urlencoded",
      ],
      [
        `grant_type=${GRANT}&subject_token_type=${JWT_TYPE}`,
        "invalid_request",
        "application/x-www-form-urlencoded",
      ],
      [
        `grant_type=${GRANT}&subject_token=${jwt}&subject_token_type=urn:x`,
        "invalid_request",
        "application/x-www-form-urlencoded",
      ],
      [
        `grant_type=${GRANT}&subject_token=${jwt}&subject_token_type=${JWT_TYPE}&actor_token=x`,
        "invalid_request",
        "application/x-www-form-urlencoded",
      ],
      [`grant_type=${GRANT}&grant_type=${GRANT}`, "invalid_request", "application/x-www-form-urlencoded"],
      [JSON.stringify({ grant_type: GRANT }), "invalid_request", "application/json"],
    ];
    for (const [form, error, type] of cases) {
      const answer = await post(form, type);
      expect([form.slice(0, 50), answer.status, answer.body.error]).toEqual([form.slice(0, 50), 400, error]);
      expect(typeof answer.body.error_description).toBe("string");
    }
  });

  it("asks which account when several trust the same token, and audits the grant with its deciding claims", async () => {
    const twin = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      {
        name: "gha-twin",
        authMethod: "FEDERATED",
        issuer: idp.issuer,
        subject: "repo:acme/models:*",
        audience: "deputy",
      },
    );
    const jwt = await idp.mint(goodClaims);
    const both = await exchange(jwt);
    expect([both.status, both.body.error, both.body.error_description]).toEqual([
      400,
      "invalid_request",
      expect.stringMatching(/2 service accounts trust this token.*service_account=/),
    ]);
    const chosen = await exchange(jwt, { service_account: "gha-twin" });
    expect(chosen.status).toBe(200);
    const granted = await db.auditEvent.findFirstOrThrow({
      where: { action: "token_exchange.granted", targetId: twin.id },
      select: { actorType: true, actorIdentity: true, metadata: true },
    });
    expect(granted).toMatchObject({
      actorType: "SERVICE_ACCOUNT",
      actorIdentity: `gha-twin@${world.org.slug}.sa.deputy.local`,
      metadata: {
        issuer: idp.issuer,
        subject: "repo:acme/models:ref:refs/heads/main",
        claims: { repository: "acme/models", run_id: "42", actor: "octocat" },
      },
    });
    expect(JSON.stringify(granted)).not.toContain(jwt.split(".")[2]!);
    await deleteServiceAccountFromForm(world.as.orgAdmin, twin.id, { confirmName: "gha-twin" });
    const afterDelete = await exchange(jwt, { service_account: "gha-twin" });
    expect(afterDelete.body.error_description).toMatch(/^Audience check failed/);
    // The twin's access token died with it.
    expect((await api.call("/api/v1/viewer", { key: chosen.body.access_token! })).body.error?.code).toMatch(
      /invalid_credential|revoked_credential/,
    );
  });

  it("works with a third-party OAuth client (oauth4webapi's generic token endpoint grant)", async () => {
    const as: oauth.AuthorizationServer = {
      issuer: api.base,
      token_endpoint: `${api.base}/api/v1/oauth/token`,
    };
    const client: oauth.Client = { client_id: "ci-job" };
    const response = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      GRANT,
      { subject_token: await idp.mint(goodClaims), subject_token_type: JWT_TYPE },
      { [oauth.allowInsecureRequests]: true },
    );
    const result = await oauth.processGenericTokenEndpointResponse(as, client, response);
    expect(result.token_type).toBe("bearer");
    expect((await api.call("/api/v1/viewer", { key: result.access_token })).status).toBe(200);

    const refused = await oauth.genericTokenEndpointRequest(
      as,
      client,
      oauth.None(),
      GRANT,
      { subject_token: await idp.mint({ ...goodClaims, aud: "nope" }), subject_token_type: JWT_TYPE },
      { [oauth.allowInsecureRequests]: true },
    );
    await expect(oauth.processGenericTokenEndpointResponse(as, client, refused)).rejects.toMatchObject({
      error: "invalid_grant",
      error_description: expect.stringMatching(/Audience/) as string,
    });
  });

  it("counts failed exchanges toward the per-address limit", async () => {
    const strict = await startApiServer({ failLimit: 5 });
    try {
      const form = new URLSearchParams({
        grant_type: GRANT,
        subject_token: await idp.mint({ ...goodClaims, aud: "nope" }),
        subject_token_type: JWT_TYPE,
      }).toString();
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        const answer = await strict.call("/api/v1/oauth/token", {
          raw: form,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        statuses.push(answer.status);
        if (answer.status === 429) expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
      }
      expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
    } finally {
      await strict.close();
    }
  });
});

describe("Test a token", () => {
  it("shows every check of rule 18 with the claim values involved, issuing and storing nothing", async () => {
    const tokensBefore = await db.accessToken.count();
    const eventsBefore = await db.auditEvent.count();
    const good = await testTokenForAccount(world.as.alphaAdmin, accountId, await idp.mint(goodClaims));
    expect(good.passed).toBe(true);
    expect(good.checks.map((c) => c.id)).toEqual([
      "signature",
      "issuer",
      "audience",
      "lifetime",
      "subject",
      "claim:repository_owner",
      "claim:workflow",
      "status",
    ]);
    const bad = await testTokenForAccount(
      world.as.alphaAdmin,
      accountId,
      await idp.mint({ ...goodClaims, repository_owner: "evil" }),
    );
    expect(bad.passed).toBe(false);
    expect(bad.checks.find((c) => !c.passed)).toMatchObject({
      id: "claim:repository_owner",
      detail: 'repository_owner is "evil"; the condition is acme.',
    });
    expect(await db.accessToken.count()).toBe(tokensBefore);
    expect(await db.auditEvent.count()).toBe(eventsBefore);
    // Rule 25: with allowedIps, the client-address check is shown too (against the tester's address).
    const trust = await db.federatedIdentity.findFirstOrThrow({ where: { serviceAccountId: accountId } });
    await db.federatedIdentity.update({
      where: { id: trust.id },
      data: { allowedIps: '["203.0.113.0/24"]' },
    });
    const fenced = await testTokenForAccount(world.as.alphaAdmin, accountId, await idp.mint(goodClaims));
    expect(fenced.checks.at(-1)).toMatchObject({
      id: "client_address",
      passed: true,
      detail: expect.stringMatching(
        /must come from 203\.0\.113\.0\/24; this test came from 203\.0\.113\.7, which is inside/,
      ) as string,
    });
    await db.federatedIdentity.update({ where: { id: trust.id }, data: { allowedIps: null } });
    // Another team's admin cannot test tokens against this account.
    await expect(testTokenForAccount(world.as.betaAdmin, accountId, "x.y.z")).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

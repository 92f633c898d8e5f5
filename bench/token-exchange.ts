// Benchmark (not a test): latency of POST /api/v1/oauth/token with a warm key cache.
//   npm run bench:exchange        (about 20 s, SQLite)
// A local issuer (RS256), one registered provider and one federated account; the same JWT is
// exchanged again and again (its keys are cached in the database, so no fetch happens), and each
// exchange writes its access token and its audit event in one transaction. Printed side by side:
//   floor (HTTP)    — node:http answering a fixed JSON to the same form POST: what the loopback,
//                     the HTTP client and the server loop cost;
//   floor (verify)  — jose's RS256 signature check alone, in process;
//   deputy          — the whole exchange over HTTP.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { compactVerify, createLocalJWKSet } from "jose";
import { parseConfig } from "../lib/config/env";
import { migrate } from "../scripts/lib";
import { startLocalIssuer } from "../tests/support/local-issuer";
import { freshBenchDatabase } from "./support";

const SEQUENTIAL = Number(process.env.BENCH_EXCHANGES ?? 1000);
const CONCURRENCY = 10;

const url = await freshBenchDatabase("sqlite", "bench-exchange");
process.env.DATABASE_URL = url;
process.env.DEPUTY_ALLOW_PRIVATE_ISSUERS = "1";
await migrate(parseConfig({ DATABASE_URL: url }));
const { db } = await import("../lib/db");
const { addIdentityProvider } = await import("../lib/federation/providers");
const { createAccount } = await import("../lib/service-accounts/accounts");
const { mountApi } = await import("../lib/api/server");

const idp = await startLocalIssuer();
const org = await db.organization.create({ data: { slug: "bench", name: "Bench" } });
const team = await db.team.create({ data: { orgId: org.id, slug: "bench-team", name: "Bench" } });
const user = await db.user.create({ data: { email: "admin@bench.test", name: "Admin", passwordHash: "x" } });
await db.orgMembership.create({ data: { orgId: org.id, userId: user.id, role: "ADMIN" } });
const admin = { user: { id: user.id, email: user.email, name: user.name }, ip: null, userAgent: "bench" };
await addIdentityProvider(admin, org.slug, { issuer: idp.issuer, name: "Bench CI" });
await createAccount(admin, {
  name: "bench-job",
  scope: "TEAM",
  team: team.slug,
  authMethod: "FEDERATED",
  federation: {
    issuer: idp.issuer,
    audience: "deputy",
    subject: "repo:bench/*",
    claims: { repository_owner: "bench" },
  },
});
// The review's worst pattern (issue 15), trusted by a second account of the same issuer.
await createAccount(admin, {
  name: "bench-worst-pattern",
  scope: "TEAM",
  team: team.slug,
  authMethod: "FEDERATED",
  federation: {
    issuer: idp.issuer,
    audience: "deputy",
    subject: "repo:*/*:*:ref:refs/heads/main",
    claims: {},
  },
});
const jwt = await idp.mint(
  { sub: "repo:bench/models", repository_owner: "bench", repository: "bench/models" },
  { lifetimeS: 3600 },
);
const formOf = (token: string) =>
  new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: token,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
  }).toString();
const form = formOf(jwt);
// Refusals: an ordinary forgery, the review's crafted 4 KB forgery, and the longest crafted
// subject Deputy matches (1,024 characters), validly signed, against the worst pattern.
const forge = (claims: Record<string, unknown>) => {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${enc({ alg: "RS256", kid: "rsa-1", typ: "JWT" })}.${enc(claims)}.${enc("no signature")}`;
};
const now = Math.floor(Date.now() / 1000);
const base = { iss: idp.issuer, aud: "deputy", iat: now, exp: now + 3600 };
const ordinaryForgery = formOf(forge({ ...base, sub: "repo:bench/models" }));
const craftedForgery = formOf(forge({ ...base, sub: "repo:" + "/:".repeat(2000) }));
const craftedSigned = formOf(
  await idp.mint({ sub: ("repo:" + "/:".repeat(600)).slice(0, 1024) }, { lifetimeS: 3600 }),
);

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const deputyServer = http.createServer();
mountApi(deputyServer, (_req, res) => res.end(), { failLimit: 1_000_000 });
const deputyBase = await listen(deputyServer);
const floorServer = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    const body = JSON.stringify({
      access_token: crypto.randomBytes(24).toString("hex"),
      token_type: "Bearer",
    });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
});
const floorBase = await listen(floorServer);

async function post(base: string, body = form, expected = 200): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await fetch(`${base}/api/v1/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  await response.text();
  if (response.status !== expected) throw new Error(`exchange answered ${response.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

async function sequential(label: string, base: string, body = form, expected = 200) {
  for (let i = 0; i < 50; i += 1) await post(base, body, expected);
  const times: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i += 1) times.push(await post(base, body, expected));
  times.sort((a, b) => a - b);
  let done = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (done < SEQUENTIAL) {
        done += 1;
        await post(base, body, expected);
      }
    }),
  );
  const perSecond = SEQUENTIAL / (Number(process.hrtime.bigint() - started) / 1e9);
  console.log(
    `${label.padEnd(44)} ${percentile(times, 50).toFixed(2).padStart(7)} ${percentile(times, 99).toFixed(2).padStart(7)} ${Math.round(perSecond).toLocaleString("en-US").padStart(9)}`,
  );
}

console.log(
  `POST /api/v1/oauth/token, ${SEQUENTIAL} sequential (p50/p99 ms) and ${CONCURRENCY} concurrent (per s), SQLite`,
);
console.log(`${"run".padEnd(44)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"per s".padStart(9)}`);
await sequential("floor (HTTP: node:http, fixed answer)", floorBase);
await sequential("deputy (exchange, warm key cache)", deputyBase);
await sequential("deputy refusal: ordinary forgery", deputyBase, ordinaryForgery, 400);
await sequential("deputy refusal: crafted 4 KB forgery (review)", deputyBase, craftedForgery, 400);
await sequential("deputy refusal: crafted 1 KB sub, signed", deputyBase, craftedSigned, 400);

const keys = createLocalJWKSet({ keys: idp.publicKeys() });
const verifyStarted = process.hrtime.bigint();
for (let i = 0; i < SEQUENTIAL; i += 1) await compactVerify(jwt, keys, { algorithms: ["RS256"] });
const verifyMs = Number(process.hrtime.bigint() - verifyStarted) / 1e6 / SEQUENTIAL;
console.log(
  `${"floor (verify: jose RS256 alone, in process)".padEnd(44)} ${verifyMs.toFixed(2).padStart(7)}`,
);
console.log(`JWKS fetches during the run: ${idp.jwksFetches - 1} (after the one at registration)`);

deputyServer.close();
floorServer.close();
await idp.close();
process.exit(0);

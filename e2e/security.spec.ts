// The red-team suite: attacks a real admin console meets, tried against the production server,
// each asserting the refusal. It prints its counts at the end (attacks tried, refused, 5xx).
import crypto from "node:crypto";
import fs from "node:fs";
import { request as playwrightRequest, type APIRequestContext, type Browser } from "@playwright/test";
import { DEMO_PASSWORD, expect, newAccountWithKey, signIn, test, unique } from "./fixtures";
import {
  AttackCounter,
  callAction,
  malformedBodies,
  malformedValues,
  serverActionIds,
} from "./support/attack";
import { freshE2eDatabase, sql } from "./support/database";
import { startOwnServer } from "./support/server";
import { startLocalIssuer } from "../tests/support/local-issuer";

const DEMO = "http://127.0.0.1:3100";
const counter = new AttackCounter();
const REFUSAL_CODES = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID",
  "CONFLICT",
  "NAME_TAKEN",
  "RATE_LIMITED",
]);

test.describe.configure({ mode: "serial" });

test.afterAll(() => {
  const report = counter.report();
  console.log(report);
  fs.mkdirSync("test-results", { recursive: true });
  fs.writeFileSync(
    "test-results/security-counts.json",
    JSON.stringify({ tried: counter.tried, refused: counter.refused, serverErrors: counter.serverErrors }),
  );
});

/** A request context signed in as `email` (through the real login form). */
async function signedInRequest(browser: Browser, email: string): Promise<APIRequestContext> {
  const context = await browser.newContext({ baseURL: DEMO });
  const page = await context.newPage();
  await signIn(page, email);
  await page.close();
  return context.request;
}

/**
 * Ids an attacker might hold: the ml-team's (attacked by another team's admin) and another
 * organization's (attacked by acme's org admin). The other org is written straight into the
 * demo database: it has no people who could sign in, only things to reach for.
 */
async function targets() {
  const now = new Date();
  const one = async <T>(text: string, ...params: unknown[]) => (await sql<T>("demo", text, params))[0]!;
  const mlTeam = await one<{ id: string }>(`SELECT id FROM "Team" WHERE slug = 'ml-team'`);
  const acme = await one<{ id: string }>(`SELECT id FROM "Organization" WHERE slug = 'acme'`);
  const member = await one<{ id: string }>(`SELECT id FROM "User" WHERE email = 'member@acme.test'`);
  const suffix = unique();
  const ids = {
    org: `redteam-org-${suffix}`,
    team: `redteam-team-${suffix}`,
    account: `redteam-sa-${suffix}`,
    key: `redteam-key-${suffix}`,
    project: `redteam-project-${suffix}`,
    mlAccount: `redteam-mlsa-${suffix}`,
    mlKey: `redteam-mlkey-${suffix}`,
    idp: `redteam-idp-${suffix}`,
    webhook: `redteam-webhook-${suffix}`,
    acmeWebhook: `redteam-acmehook-${suffix}`,
    delivery: `msg_redteam${suffix}`,
  };
  const run = (text: string, ...params: unknown[]) => sql("demo", text, params);
  await run(
    `INSERT INTO "Organization" (id, slug, name, "seatLimit", "createdAt", "updatedAt") VALUES ($1, $2, 'Globex', 5, $3, $4)`,
    ids.org,
    `globex-${suffix}`,
    now,
    now,
  );
  await run(
    `INSERT INTO "Team" (id, "orgId", slug, name, "createdAt", "updatedAt") VALUES ($1, $2, $3, 'Globex team', $4, $5)`,
    ids.team,
    ids.org,
    `globex-team-${suffix}`,
    now,
    now,
  );
  const insertAccount = `INSERT INTO "ServiceAccount" (id, "orgId", scope, "teamId", name, "createdAt", "updatedAt") VALUES ($1, $2, 'TEAM', $3, $4, $5, $6)`;
  await run(insertAccount, ids.account, ids.org, ids.team, `globex-job-${suffix}`, now, now);
  await run(insertAccount, ids.mlAccount, acme.id, mlTeam.id, `idor-target-${suffix}`, now, now);
  const insertKey = `INSERT INTO "ApiKey" (id, "keyId", "secretHash", last4, name, "serviceAccountId", "createdAt") VALUES ($1, $2, 'x', 'abcd', 'k', $3, $4)`;
  await run(insertKey, ids.key, crypto.randomBytes(6).toString("hex"), ids.account, now);
  await run(insertKey, ids.mlKey, crypto.randomBytes(6).toString("hex"), ids.mlAccount, now);
  await run(
    `INSERT INTO "Project" (id, "teamId", name, visibility, "createdAt", "updatedAt") VALUES ($1, $2, 'globex-secret', 'TEAM', $3, $4)`,
    ids.project,
    ids.team,
    now,
    now,
  );
  await run(
    `INSERT INTO "IdentityProvider" (id, "orgId", issuer, name, "resolvedJwksUri", jwks, "keyCount", "refreshedAt", "createdAt", "updatedAt") VALUES ($1, $2, 'https://globex.example', 'Globex IdP', 'https://globex.example/jwks', '{"keys":[]}', 0, $3, $4, $5)`,
    ids.idp,
    ids.org,
    now,
    now,
    now,
  );
  // A webhook endpoint (and a delivery) of Globex, and one of Acme that only org admins may touch.
  const insertWebhook = `INSERT INTO "WebhookEndpoint" (id, "orgId", url, "sealedSecret", "createdByIdentity", "createdAt") VALUES ($1, $2, 'https://hooks.example/x', 'v1.x.y', 'redteam', $3)`;
  await run(insertWebhook, ids.webhook, ids.org, now);
  await run(insertWebhook, ids.acmeWebhook, acme.id, now);
  await run(
    `INSERT INTO "WebhookDelivery" (id, "endpointId", type, payload, status, "nextAttemptAt", "createdAt") VALUES ($1, $2, 'webhook.test', '{}', 'failed', $3, $4)`,
    ids.delivery,
    ids.webhook,
    now,
    now,
  );
  const mlProject = await one<{ id: string }>(
    `SELECT id FROM "Project" WHERE "teamId" = $1 AND name = 'secret-eval'`,
    mlTeam.id,
  );
  return {
    ...ids,
    globexSlug: `globex-${suffix}`,
    globexTeamSlug: `globex-team-${suffix}`,
    mlTeam: mlTeam.id,
    mlProject: mlProject.id,
    member: member.id,
  };
}

/** What must still be true after every attack: nothing the attacks reached for has changed. */
async function untouched(t: Awaited<ReturnType<typeof targets>>) {
  const rows = (text: string, a: string, b: string) =>
    sql("demo", `${text} WHERE id IN ($1, $2) ORDER BY id`, [a, b]);
  return {
    accounts: await rows(
      `SELECT status, "deletedAt", name, role FROM "ServiceAccount"`,
      t.account,
      t.mlAccount,
    ),
    keys: await rows(
      `SELECT "revokedAt", "expiresAt", "replacedById", "leakedAt", permission, projects, "allowedIps" FROM "ApiKey"`,
      t.key,
      t.mlKey,
    ),
    teams: await rows(`SELECT name FROM "Team"`, t.team, t.mlTeam),
    projects: await rows(`SELECT visibility FROM "Project"`, t.project, t.mlProject),
    providers: await rows(`SELECT issuer, name FROM "IdentityProvider"`, t.idp, t.idp),
    webhooks: await rows(`SELECT url, status, events FROM "WebhookEndpoint"`, t.webhook, t.acmeWebhook),
    policies: await sql(
      "demo",
      `SELECT "apiKeyPolicy", "requireOwner", "requireAllowedIpsForOrgScope" FROM "Organization" WHERE slug IN ('acme', $1) ORDER BY slug`,
      [t.globexSlug],
    ),
    deliveries: await rows(`SELECT status, attempts FROM "WebhookDelivery"`, t.delivery, t.delivery),
    trust: await sql(
      "demo",
      `SELECT issuer, "subjectPattern" FROM "FederatedIdentity" WHERE "serviceAccountId" IN ($1, $2)`,
      [t.account, t.mlAccount],
    ),
  };
}

test.describe("[SECURITY]", () => {
  test("[SECURITY][ACTIONS] forged action calls without a session are refused", async () => {
    const actions = serverActionIds();
    expect(Object.keys(actions).length).toBeGreaterThanOrEqual(20);
    const anonymous = await playwrightRequest.newContext();
    for (const [name, id] of Object.entries(actions)) {
      const answer = await callAction(anonymous, DEMO, id, ["acme", { email: "x@example.com", name: "x" }]);
      const refused = answer.ok === false && REFUSAL_CODES.has(answer.code ?? "");
      counter.record(`anonymous ${name}`, answer.status, refused);
      expect(answer.status, name).toBeLessThan(500);
      expect(refused, `${name}: ${answer.text.slice(0, 200)}`).toBe(true);
    }
    await anonymous.dispose();
  });

  test("[SECURITY][IDOR] another team's and another org's ids are refused by every action, and nothing changes", async ({
    browser,
  }) => {
    const t = await targets();
    const before = await untouched(t);
    const actions = serverActionIds();
    const researchAdmin = await signedInRequest(browser, "research-admin@acme.test");
    const orgAdmin = await signedInRequest(browser, "org-admin@acme.test");

    // [caller, action, args]: a team admin reaching into ml-team, an org admin into another org.
    const attacks: [APIRequestContext, string, unknown[]][] = [
      [
        researchAdmin,
        "updateServiceAccountAction",
        [t.mlAccount, { name: "pwned", description: "", role: "ADMIN" }],
      ],
      [researchAdmin, "setServiceAccountStatusAction", [t.mlAccount, { status: "DISABLED" }]],
      [researchAdmin, "deleteServiceAccountAction", [t.mlAccount, { confirmName: "x" }]],
      [researchAdmin, "createApiKeyAction", [t.mlAccount, { name: "stolen" }]],
      [researchAdmin, "revokeApiKeyAction", [t.mlAccount, t.mlKey]],
      [researchAdmin, "createServiceAccountAction", [{ teamSlug: "ml-team" }, { name: "intruder-sa" }]],
      [researchAdmin, "listServiceAccountsAction", [{ orgSlug: "acme" }, {}]],
      [researchAdmin, "createProjectAction", ["ml-team", { name: "intruder-project" }]],
      [
        researchAdmin,
        "changeProjectVisibilityAction",
        ["ml-team", { projectId: t.mlProject, visibility: "OPEN" }],
      ],
      [
        researchAdmin,
        "changeProjectVisibilityAction",
        ["research", { projectId: t.mlProject, visibility: "OPEN" }],
      ],
      [
        researchAdmin,
        "grantProjectAccessAction",
        ["research", { projectId: t.mlProject, email: "research-admin@acme.test" }],
      ],
      [researchAdmin, "revokeProjectAccessAction", ["ml-team", { projectId: t.mlProject, accessId: "x" }]],
      [
        researchAdmin,
        "addTeamMemberAction",
        ["ml-team", { email: "research-admin@acme.test", role: "ADMIN" }],
      ],
      [researchAdmin, "changeTeamMemberRoleAction", ["ml-team", { userId: t.member, role: "VIEWER" }]],
      [researchAdmin, "removeTeamMemberAction", ["ml-team", { userId: t.member }]],
      [researchAdmin, "renameTeamAction", ["acme", { teamId: t.mlTeam, name: "Pwned" }]],
      [researchAdmin, "deleteTeamAction", ["acme", { teamId: t.mlTeam }]],
      [researchAdmin, "addOrgMemberAction", ["acme", { email: "intruder@example.com" }]],
      [researchAdmin, "updateOrgSettingsAction", ["acme", { name: "Pwned", seatLimit: 1 }]],
      [researchAdmin, "searchGrantCandidatesAction", ["ml-team", { projectId: t.mlProject, query: "" }]],
      [
        orgAdmin,
        "updateServiceAccountAction",
        [t.account, { name: "pwned", description: "", role: "ADMIN" }],
      ],
      [orgAdmin, "setServiceAccountStatusAction", [t.account, { status: "DISABLED" }]],
      [orgAdmin, "deleteServiceAccountAction", [t.account, { confirmName: "x" }]],
      [orgAdmin, "createApiKeyAction", [t.account, { name: "stolen" }]],
      [orgAdmin, "revokeApiKeyAction", [t.account, t.key]],
      [orgAdmin, "revokeApiKeyAction", [t.mlAccount, t.key]],
      [orgAdmin, "createServiceAccountAction", [{ teamSlug: t.globexTeamSlug }, { name: "intruder-sa" }]],
      [
        orgAdmin,
        "createServiceAccountAction",
        [{ orgSlug: "acme" }, { name: "intruder-sa2", defaultTeam: t.globexTeamSlug }],
      ],
      [orgAdmin, "listServiceAccountsAction", [{ orgSlug: t.globexSlug }, {}]],
      [orgAdmin, "createProjectAction", [t.globexTeamSlug, { name: "intruder-project" }]],
      [orgAdmin, "changeProjectVisibilityAction", ["ml-team", { projectId: t.project, visibility: "OPEN" }]],
      [
        orgAdmin,
        "grantProjectAccessAction",
        ["ml-team", { projectId: t.project, email: "org-admin@acme.test" }],
      ],
      [orgAdmin, "renameTeamAction", ["acme", { teamId: t.team, name: "Pwned" }]],
      [orgAdmin, "renameTeamAction", [t.globexSlug, { teamId: t.team, name: "Pwned" }]],
      [orgAdmin, "deleteTeamAction", ["acme", { teamId: t.team }]],
      [orgAdmin, "addTeamMemberAction", [t.globexTeamSlug, { email: "org-admin@acme.test", role: "ADMIN" }]],
      [orgAdmin, "addOrgMemberAction", [t.globexSlug, { email: "intruder@example.com" }]],
      [orgAdmin, "updateOrgSettingsAction", [t.globexSlug, { name: "Pwned", seatLimit: 1 }]],
      [orgAdmin, "searchGrantCandidatesAction", [t.globexTeamSlug, { projectId: t.project, query: "" }]],
      [orgAdmin, "searchGrantCandidatesAction", ["ml-team", { projectId: t.project, query: "" }]],
      // Federation: identity providers are org admins' own; trust settings and token tests follow the account.
      [
        researchAdmin,
        "addIdentityProviderAction",
        ["acme", { issuer: "https://evil.example", name: "Evil" }],
      ],
      [researchAdmin, "removeIdentityProviderAction", ["acme", t.idp]],
      [
        researchAdmin,
        "updateFederationAction",
        [t.mlAccount, { issuer: "https://evil.example", audience: "x", subject: "*" }],
      ],
      [researchAdmin, "testTokenAction", [t.mlAccount, "a.b.c"]],
      [orgAdmin, "removeIdentityProviderAction", ["acme", t.idp]],
      [orgAdmin, "removeIdentityProviderAction", [t.globexSlug, t.idp]],
      [
        orgAdmin,
        "addIdentityProviderAction",
        [t.globexSlug, { issuer: "https://evil.example", name: "Evil" }],
      ],
      [
        orgAdmin,
        "updateFederationAction",
        [t.account, { issuer: "https://globex.example", audience: "x", subject: "*" }],
      ],
      [orgAdmin, "testTokenAction", [t.account, "a.b.c"]],
      // Lifecycle: rotation, leak acknowledgement and leak reports stay within the caller's reach.
      [researchAdmin, "rotateApiKeyAction", [t.mlAccount, t.mlKey, { graceHours: 24 }]],
      [researchAdmin, "acknowledgeLeaksAction", [t.mlAccount]],
      [researchAdmin, "reportLeakedKeysAction", ["acme", "dpt_x"]],
      [orgAdmin, "rotateApiKeyAction", [t.account, t.key, { graceHours: 0 }]],
      [orgAdmin, "rotateApiKeyAction", [t.mlAccount, t.key, { graceHours: 0 }]],
      [orgAdmin, "acknowledgeLeaksAction", [t.account]],
      [orgAdmin, "reportLeakedKeysAction", [t.globexSlug, "dpt_x"]],
      // Restrictions (rules 24, 27): the picker, the proposal and Restrict follow the account too.
      [researchAdmin, "keyProjectChoicesAction", [t.mlAccount]],
      [researchAdmin, "suggestKeyRestrictionsAction", [t.mlAccount, t.mlKey]],
      [researchAdmin, "restrictApiKeyAction", [t.mlAccount, t.mlKey, { permission: "read" }]],
      [orgAdmin, "keyProjectChoicesAction", [t.account]],
      [orgAdmin, "suggestKeyRestrictionsAction", [t.account, t.key]],
      [orgAdmin, "suggestKeyRestrictionsAction", [t.mlAccount, t.key]],
      [orgAdmin, "restrictApiKeyAction", [t.account, t.key, { permission: "read" }]],
      [orgAdmin, "restrictApiKeyAction", [t.mlAccount, t.key, { permission: "read" }]],
      // Webhooks (rule 28): org admins of their own org only; a team admin of acme is no org admin.
      [researchAdmin, "createWebhookAction", ["acme", { url: "https://evil.example/x" }]],
      [researchAdmin, "setWebhookStatusAction", ["acme", t.acmeWebhook, "disabled"]],
      [researchAdmin, "deleteWebhookAction", ["acme", t.acmeWebhook]],
      [researchAdmin, "sendTestEventAction", ["acme", t.acmeWebhook]],
      [orgAdmin, "createWebhookAction", [t.globexSlug, { url: "https://evil.example/x" }]],
      [orgAdmin, "setWebhookStatusAction", [t.globexSlug, t.webhook, "disabled"]],
      [orgAdmin, "setWebhookStatusAction", ["acme", t.webhook, "disabled"]],
      [orgAdmin, "deleteWebhookAction", ["acme", t.webhook]],
      [orgAdmin, "sendTestEventAction", ["acme", t.webhook]],
      [orgAdmin, "resendDeliveryAction", ["acme", t.webhook, t.delivery]],
      [orgAdmin, "resendDeliveryAction", ["acme", t.acmeWebhook, t.delivery]],
      // Policies (rule 31): org admins of their own org only.
      [
        researchAdmin,
        "updatePoliciesAction",
        ["acme", { apiKeys: "disabled", requireOwner: true, requireAllowedIpsForOrgScope: true }],
      ],
      [
        orgAdmin,
        "updatePoliciesAction",
        [t.globexSlug, { apiKeys: "disabled", requireOwner: true, requireAllowedIpsForOrgScope: true }],
      ],
      // Sessions (rule 36): only an org admin ends a member's sessions, and only in their own org.
      [researchAdmin, "endMemberSessionsAction", ["acme", { userId: t.member }]],
      [orgAdmin, "endMemberSessionsAction", [t.globexSlug, { userId: t.member }]],
      // Single sign-on and SCIM (rules 34, 35): org admins of their own org only.
      [
        researchAdmin,
        "saveSsoSettingsAction",
        [
          "acme",
          {
            issuer: "https://evil.example",
            clientId: "x",
            clientSecret: "y",
            emailDomains: "evil.example",
            requireSso: true,
          },
        ],
      ],
      [
        orgAdmin,
        "saveSsoSettingsAction",
        [
          t.globexSlug,
          {
            issuer: "https://evil.example",
            clientId: "x",
            clientSecret: "y",
            emailDomains: "evil.example",
            requireSso: true,
          },
        ],
      ],
      [orgAdmin, "saveSsoSettingsAction", ["acme", { issuer: 42, emailDomains: ["x"], requireSso: "yes" }]],
      [researchAdmin, "generateScimTokenAction", ["acme"]],
      [researchAdmin, "revokeScimTokenAction", ["acme"]],
      [orgAdmin, "generateScimTokenAction", [t.globexSlug]],
      [orgAdmin, "revokeScimTokenAction", [t.globexSlug]],
    ];
    for (const [caller, name, args] of attacks) {
      const id = actions[name];
      expect(id, `action ${name} is in the build`).toBeTruthy();
      const answer = await callAction(caller, DEMO, id!, args);
      const refused =
        answer.ok === false && ["FORBIDDEN", "NOT_FOUND", "INVALID"].includes(answer.code ?? "");
      counter.record(`IDOR ${name}`, answer.status, refused);
      expect(answer.status, name).toBeLessThan(500);
      expect(refused, `${name}(${JSON.stringify(args)}): ${answer.text.slice(0, 300)}`).toBe(true);
    }
    // The audit export is a route, not an action: it checks the session and the org itself.
    const anonymous = await playwrightRequest.newContext();
    const exports: [APIRequestContext, string, number][] = [
      [anonymous, "/org/acme/audit-log/export?format=csv", 401],
      [researchAdmin, "/org/acme/audit-log/export?format=csv", 403],
      [orgAdmin, `/org/${t.globexSlug}/audit-log/export?format=jsonl`, 403],
      [orgAdmin, "/org/acme/audit-log/export?format=xml", 400],
      [orgAdmin, "/org/acme/audit-log/export?format=csv&cursor=x&from=yesterday", 400],
    ];
    for (const [caller, path, status] of exports) {
      const response = await caller.get(`${DEMO}${path}`, { failOnStatusCode: false, maxRedirects: 0 });
      counter.record(`EXPORT ${path}`, response.status(), response.status() >= 400);
      expect([path, response.status()]).toEqual([path, status]);
    }
    await anonymous.dispose();
    expect(await untouched(t)).toEqual(before);
  });

  test("[SECURITY][MALFORMED] every action and API route survives malformed input: no 5xx", async ({
    browser,
  }) => {
    test.setTimeout(300_000);
    const actions = serverActionIds();
    const orgAdmin = await signedInRequest(browser, "org-admin@acme.test");
    let tried = 0;
    // Actions: every argument position gets every malformed value; then raw bodies.
    for (const [name, id] of Object.entries(actions)) {
      if (name === "changePasswordAction") continue; // would count toward the org admin's password limit
      if (name === "signOutEverywhereAction") continue; // takes no input, and would end this very session
      for (const value of malformedValues()) {
        for (const args of [[value], ["acme", value], [value, value]]) {
          const answer = await callAction(orgAdmin, DEMO, id, args);
          // An INTERNAL result is a server error that the action wrapper answered politely: count it as one.
          const status = answer.code === "INTERNAL" ? 500 : answer.status;
          counter.record(`malformed ${name}`, status, answer.status >= 400 || answer.ok === false);
          tried += 1;
          expect(status, `${name}(${JSON.stringify(args).slice(0, 80)})`).toBeLessThan(500);
          // Reads may answer odd input with empty results; a leak report answers "unknown, nothing
          // changed" for text that is no key (rule 22), which the IDOR test checks changes nothing.
          if (answer.ok === true)
            // The SCIM token actions take nothing but the org: extra arguments are ignored.
            expect(name, "only read actions accept odd input").toMatch(
              /^(list|search|reportLeakedKeys|generateScimToken|revokeScimToken)/,
            );
        }
      }
      for (const body of malformedBodies()) {
        const answer = await callAction(orgAdmin, DEMO, id, body);
        const status = answer.code === "INTERNAL" ? 500 : answer.status;
        counter.record(`malformed body ${name}`, status, answer.status >= 400 || answer.ok !== true);
        tried += 1;
        expect(status, `${name} with ${body.raw.slice(0, 40)}`).toBeLessThan(500);
      }
    }

    // The API: a valid key, then every malformed body, query and path on every route.
    const page = await (await browser.newContext({ baseURL: DEMO })).newPage();
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const key = await newAccountWithKey(page, `redteam-${unique()}`);
    const auth = { authorization: `Bearer ${key}` };
    const api = page.request;
    const send = async (
      method: string,
      path: string,
      options: { data?: string; headers?: Record<string, string> },
    ) => {
      const response = await api.fetch(`${DEMO}${path}`, {
        method,
        headers: { ...auth, "content-type": "application/json", ...options.headers },
        data: options.data,
        failOnStatusCode: false,
      });
      counter.record(`API ${method} ${path.slice(0, 60)}`, response.status(), response.status() >= 400);
      tried += 1;
      expect(
        response.status(),
        `${method} ${path.slice(0, 80)} ${String(options.data).slice(0, 60)}`,
      ).toBeLessThan(500);
      // Dot segments can leave the API once the client normalises the path; API answers are JSON.
      if (new URL(response.url()).pathname.startsWith("/api/v1")) {
        expect(response.headers()["content-type"]).toMatch(/application\/json/);
      }
    };
    for (const value of malformedValues()) {
      for (const field of ["entity", "project", "name", "config", "summary", "username", "userEmail"]) {
        await send("POST", "/api/v1/runs", { data: JSON.stringify({ project: "redteam", [field]: value }) });
      }
      await send("POST", "/api/v1/runs", { data: JSON.stringify(value) });
    }
    for (const body of malformedBodies()) {
      await send("POST", "/api/v1/runs", {
        data: body.raw,
        headers: { "content-type": body.contentType ?? "application/json" },
      });
    }
    const segments = [
      "%E0%A4%A",
      "%",
      "..",
      "%2e%2e",
      "a".repeat(2000),
      "%00",
      "ml-team%2Fsecret-eval",
      "😀",
    ];
    for (const a of segments) {
      for (const b of segments) await send("GET", `/api/v1/projects/${a}/${b}/runs`, {});
      await send("GET", `/api/v1/projects/ml-team/production-models/runs?cursor=${a}`, {});
      await send("GET", `/api/v1/projects/ml-team/production-models/runs?limit=${a}`, {});
      await send("GET", `/api/v1/${a}`, {});
    }
    for (const method of ["PUT", "PATCH", "DELETE", "OPTIONS"]) {
      for (const path of [
        "/api/v1/viewer",
        "/api/v1/runs",
        "/api/v1/projects/ml-team/production-models/runs",
      ]) {
        await send(method, path, { data: "{}" });
      }
    }
    for (const header of [
      "Bearer",
      "Bearer ",
      "Basic abc",
      `Bearer ${key}x`,
      `Bearer ${key.slice(0, -1)}`,
      "Bearer dpt_",
      "\u00ff",
    ]) {
      await send("GET", "/api/v1/viewer", { headers: { authorization: header } });
    }
    expect(tried).toBeGreaterThanOrEqual(1000);
    expect(counter.serverErrors).toEqual([]);
  });

  test("[SECURITY][MANAGEMENT] ADMIN accounts reach nothing outside their scope; malformed management bodies never 5xx", async ({
    browser,
  }) => {
    const t = await targets();
    const before = await untouched(t);
    const keyFor = async (email: string, place: string, options: { defaultTeam?: string } = {}) => {
      const page = await (await browser.newContext({ baseURL: DEMO })).newPage();
      await signIn(page, email);
      await page.goto(place);
      const key = await newAccountWithKey(page, `redteam-admin-${unique()}`, { role: "ADMIN", ...options });
      await page.context().close();
      return key;
    };
    // A team-scoped ADMIN of research, and acme's org-scoped ADMIN.
    const researchAdmin = await keyFor("research-admin@acme.test", "/research/service-accounts");
    const orgAdmin = await keyFor("org-admin@acme.test", "/org/acme/service-accounts", {
      defaultTeam: "ml-team",
    });
    const api = await playwrightRequest.newContext({ baseURL: DEMO });
    const send = async (key: string, method: string, path: string, data?: unknown) => {
      const response = await api.fetch(path, {
        method,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        data: data === undefined ? undefined : JSON.stringify(data),
        failOnStatusCode: false,
      });
      counter.record(`API ${method} ${path.slice(0, 60)}`, response.status(), response.status() >= 400);
      expect(response.status(), `${method} ${path} ${JSON.stringify(data)?.slice(0, 60)}`).toBeLessThan(500);
      return response;
    };
    const operations = (account: string, keyId: string): [string, string, unknown?][] => [
      ["GET", `/api/v1/service-accounts/${account}`],
      ["PATCH", `/api/v1/service-accounts/${account}`, { description: "pwned" }],
      ["PATCH", `/api/v1/service-accounts/${account}`, { status: "disabled" }],
      ["PATCH", `/api/v1/service-accounts/${account}`, { role: "admin", name: "pwned" }],
      ["GET", `/api/v1/service-accounts/${account}/keys`],
      ["POST", `/api/v1/service-accounts/${account}/keys`, { name: "backdoor" }],
      // Rule 24: another team's admin must not loosen (or tighten) a key's restrictions.
      ["PATCH", `/api/v1/service-accounts/${account}/keys/${keyId}`, { restrictions: { allowedIps: null } }],
      [
        "PATCH",
        `/api/v1/service-accounts/${account}/keys/${keyId}`,
        { restrictions: { permission: "read" } },
      ],
      // Rule 27: what another team's key did is not theirs to read.
      ["GET", `/api/v1/service-accounts/${account}/keys/${keyId}/suggested-restrictions`],
      ["DELETE", `/api/v1/service-accounts/${account}/keys/${keyId}`],
      ["DELETE", `/api/v1/service-accounts/${account}`],
    ];
    // Another team's account and another org's account, by id, for the team-scoped admin;
    // another org's account for the org-scoped one: every operation is 404, nothing changes.
    const reaches: [string, string, string][] = [
      [researchAdmin, t.mlAccount, t.mlKey],
      [researchAdmin, t.account, t.key],
      [orgAdmin, t.account, t.key],
    ];
    for (const [key, account, keyId] of reaches) {
      for (const [method, path, data] of operations(account, keyId)) {
        const response = await send(key, method, path, data);
        expect([method, path, response.status()]).toEqual([method, path, 404]);
      }
    }
    // Creating in another team or org, or org-scoped, as the team-scoped admin.
    for (const body of [
      { name: `redteam-${unique()}`, scope: "team", team: "ml-team" },
      { name: `redteam-${unique()}`, scope: "org", team: "research" },
      { name: `redteam-${unique()}`, scope: "team", team: t.globexTeamSlug },
    ]) {
      expect([403, 404]).toContain(
        (await send(researchAdmin, "POST", "/api/v1/service-accounts", body)).status(),
      );
    }
    // Identity providers: org-scoped ADMIN accounts only, and only their own org's.
    expect((await send(researchAdmin, "GET", "/api/v1/identity-providers")).status()).toBe(403);
    expect(
      (
        await send(researchAdmin, "POST", "/api/v1/identity-providers", {
          issuer: "https://evil.example",
          name: "x",
        })
      ).status(),
    ).toBe(403);
    expect((await send(orgAdmin, "DELETE", `/api/v1/identity-providers/${t.idp}`)).status()).toBe(404);
    // Webhooks: the same rule; another org's endpoint is not found whatever the operation, and
    // malformed bodies are 400s that never reach the network.
    expect((await send(researchAdmin, "GET", "/api/v1/webhooks")).status()).toBe(403);
    expect(
      (await send(researchAdmin, "POST", "/api/v1/webhooks", { url: "https://evil.example/x" })).status(),
    ).toBe(403);
    for (const [method, path, data] of [
      ["GET", `/api/v1/webhooks/${t.webhook}`],
      ["PATCH", `/api/v1/webhooks/${t.webhook}`, { status: "disabled" }],
      ["PATCH", `/api/v1/webhooks/${t.webhook}`, { url: "https://evil.example/x" }],
      ["DELETE", `/api/v1/webhooks/${t.webhook}`],
      ["GET", `/api/v1/webhooks/${t.webhook}/deliveries`],
      ["POST", `/api/v1/webhooks/${t.webhook}/test`],
      ["POST", `/api/v1/webhooks/${t.webhook}/deliveries/${t.delivery}/resend`],
      ["POST", `/api/v1/webhooks/${t.acmeWebhook}/deliveries/${t.delivery}/resend`],
    ] as [string, string, unknown?][]) {
      expect([method, path, (await send(orgAdmin, method, path, data)).status()]).toEqual([
        method,
        path,
        404,
      ]);
    }
    for (const body of [
      { url: "http://169.254.169.254/latest/meta-data" },
      { url: "https://10.0.0.1/x" },
      { url: "https://u:p@hooks.example/x" },
      { url: `https://hooks.example/${"x".repeat(3000)}` },
      { url: "https://hooks.example/x", events: ["api_key.created", "nope"] },
      { url: "https://hooks.example/x", events: "all" },
      { url: ["https://hooks.example/x"] },
      { url: "https://hooks.example/x", secret: "whsec_attacker" },
      {},
    ]) {
      const response = await send(orgAdmin, "POST", "/api/v1/webhooks", body);
      // The demo server allows private receivers (the tests' own); the others are always refused.
      if (String(body.url).startsWith("http://169.254") || String(body.url).startsWith("https://10.")) {
        expect(response.status()).toBeLessThan(500);
        if (response.status() === 201) {
          const { webhook } = (await response.json()) as { webhook: { id: string } };
          await send(orgAdmin, "DELETE", `/api/v1/webhooks/${webhook.id}`);
        }
        continue;
      }
      expect([JSON.stringify(body).slice(0, 60), response.status()]).toEqual([
        JSON.stringify(body).slice(0, 60),
        400,
      ]);
    }
    // The token endpoint: malformed forms and tokens are refused in RFC 6749's shape.
    for (const form of [
      "",
      "grant_type=x",
      "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=a.b.c&subject_token_type=urn:ietf:params:oauth:token-type:jwt",
      `grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=${"A".repeat(70_000)}&subject_token_type=x`,
      "grant_type=%E0%A4%A&subject_token=%00",
    ]) {
      const response = await api.fetch("/api/v1/oauth/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        data: form,
        failOnStatusCode: false,
      });
      counter.record("API POST /api/v1/oauth/token", response.status(), response.status() >= 400);
      expect(response.status(), form.slice(0, 60)).toBeGreaterThanOrEqual(400);
      expect(response.status(), form.slice(0, 60)).toBeLessThan(500);
    }
    // Teams, members, projects and grants (issue 16): another team of a team-scoped admin, and
    // another org's team for the org-scoped one, are 404 for every operation; nothing changes.
    const membersBefore = await sql(
      "demo",
      `SELECT "userId", role FROM "TeamMembership" WHERE "teamId" = $1 ORDER BY "userId"`,
      [t.mlTeam],
    );
    const teamOperations = (team: string, project: string): [string, string, unknown?][] => [
      ["GET", `/api/v1/teams/${team}`],
      ["PATCH", `/api/v1/teams/${team}`, { name: "pwned" }],
      ["DELETE", `/api/v1/teams/${team}`],
      ["GET", `/api/v1/teams/${team}/members`],
      ["PUT", `/api/v1/teams/${team}/members/member@acme.test`, { role: "admin" }],
      ["DELETE", `/api/v1/teams/${team}/members/team-admin@acme.test`],
      ["POST", `/api/v1/teams/${team}/projects`, { name: `backdoor-${unique()}` }],
      ["PATCH", `/api/v1/projects/${team}/${project}`, { visibility: "open" }],
      ["DELETE", `/api/v1/projects/${team}/${project}`],
      ["GET", `/api/v1/projects/${team}/${project}/access`],
      ["PUT", `/api/v1/projects/${team}/${project}/access/member@acme.test`],
      ["DELETE", `/api/v1/projects/${team}/${project}/access/org-admin@acme.test`],
    ];
    for (const [key, team, project] of [
      [researchAdmin, "ml-team", "secret-eval"],
      [researchAdmin, t.globexTeamSlug, "globex-secret"],
      [orgAdmin, t.globexTeamSlug, "globex-secret"],
    ] as const) {
      for (const [method, path, data] of teamOperations(team, project)) {
        const response = await send(key, method, path, data);
        expect([method, path, response.status()]).toEqual([method, path, 404]);
      }
    }
    expect(
      (
        await send(researchAdmin, "POST", "/api/v1/teams", { slug: `redteam-${unique()}`, name: "x" })
      ).status(),
    ).toBe(403);
    expect((await send(researchAdmin, "GET", "/api/v1/members")).status()).toBe(403);
    expect(
      await sql("demo", `SELECT "userId", role FROM "TeamMembership" WHERE "teamId" = $1 ORDER BY "userId"`, [
        t.mlTeam,
      ]),
    ).toEqual(membersBefore);
    // Malformed values in every field of the new bodies.
    for (const [method, path, valid] of [
      ["POST", "/api/v1/teams", { slug: `redteam-t-${unique()}`, name: "Red" }],
      ["PATCH", "/api/v1/teams/research", { name: "Research" }],
      ["PUT", "/api/v1/teams/research/members/research-admin@acme.test", { role: "admin" }],
      ["POST", "/api/v1/teams/research/projects", { name: `redteam-p-${unique()}` }],
      ["PATCH", "/api/v1/projects/research/shared-bench", { visibility: "open" }],
    ] as [string, string, Record<string, unknown>][]) {
      for (const value of malformedValues()) {
        for (const field of Object.keys(valid))
          await send(orgAdmin, method, path, { ...valid, [field]: value });
        await send(orgAdmin, method, path, value);
      }
    }
    expect(await untouched(t)).toEqual(before);

    // Malformed values in every field of every management body.
    const victim = `redteam-victim-${unique()}`;
    expect(
      (
        await send(orgAdmin, "POST", "/api/v1/service-accounts", {
          name: victim,
          scope: "team",
          team: "research",
        })
      ).status(),
    ).toBe(201);
    const bodies: [string, string, Record<string, unknown>][] = [
      [
        "POST",
        "/api/v1/service-accounts",
        { name: `redteam-m-${unique()}`, scope: "team", team: "research" },
      ],
      ["PATCH", `/api/v1/service-accounts/${victim}`, { description: "fine" }],
      ["POST", `/api/v1/service-accounts/${victim}/keys`, { name: "fine" }],
      // Rule 24: malformed restrictions, field by field (CIDRs, project names, permissions).
      ["POST", `/api/v1/service-accounts/${victim}/keys`, { name: "fine", restrictions: {} }],
    ];
    const fields: Record<string, string[]> = {
      "/api/v1/service-accounts": [
        "name",
        "scope",
        "team",
        "role",
        "authMethod",
        "description",
        "federation",
      ],
    };
    // (null lifts a restriction: the one malformed value that is a valid restriction.)
    const wrong = malformedValues().filter((value) => value !== null);
    const restrictionBodies = [
      ...malformedValues().map((value) => ({ allowedIps: [value] })),
      ...malformedValues().map((value) => ({ projects: [value] })),
      ...wrong.map((value) => ({ permission: value })),
      ...wrong.map((value) => ({ allowedIps: value, projects: value })),
      { allowedIps: ["10.0.0.0/8", "::/0", "1.2.3.4/33"] },
      { allowedIps: Array.from({ length: 1000 }, () => "10.0.0.0/8") },
      { projects: ["ml-team/production-models", "../etc/passwd", "ml-team/"] },
      { projects: ["ml-team/%00", "ML-TEAM/production-models"] },
    ];
    for (const restrictions of restrictionBodies) {
      const answer = await send(orgAdmin, "POST", `/api/v1/service-accounts/${victim}/keys`, {
        name: "fine",
        restrictions,
      });
      expect([JSON.stringify(restrictions).slice(0, 80), answer.status()]).toEqual([
        JSON.stringify(restrictions).slice(0, 80),
        400,
      ]);
    }
    for (const [method, path, valid] of bodies) {
      const names =
        fields[path] ??
        (method === "PATCH"
          ? ["name", "description", "role", "status", "federation"]
          : ["name", "expiresInDays", "restrictions"]);
      for (const value of malformedValues()) {
        for (const field of names) await send(orgAdmin, method, path, { ...valid, [field]: value });
        await send(orgAdmin, method, path, value);
      }
    }
    await api.dispose();
  });

  test("[SECURITY][REDIRECT] sign-in never returns to another site, whatever the normalisation", async ({
    page,
  }) => {
    for (const callbackUrl of [
      "/.//evil.example/steal",
      "/..//evil.example",
      "/%2e//evil.example",
      "//evil.example",
      "/\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
    ]) {
      await page.context().clearCookies();
      await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
      await page.getByLabel("Email").fill("member@acme.test");
      await page.getByLabel("Password").fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByTestId("signed-in-as")).toHaveText("member@acme.test");
      const landed = new URL(page.url());
      counter.record(`redirect ${callbackUrl}`, 200, landed.origin === DEMO);
      expect(landed.origin, callbackUrl).toBe(DEMO);
    }
  });

  test("[SECURITY][FRAMING] pages carry the security headers and cannot be framed", async ({
    page,
    request,
  }) => {
    for (const path of ["/login", "/ml-team", "/org/acme", "/does-not-exist"]) {
      const response = await request.get(path, { maxRedirects: 0 });
      const headers = response.headers();
      expect(headers["content-security-policy"], path).toMatch(/frame-ancestors 'none'/);
      expect(headers["content-security-policy"], path).toMatch(
        /script-src 'self' 'nonce-[^']+' 'strict-dynamic'/,
      );
      expect(headers["x-content-type-options"], path).toBe("nosniff");
      expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
      expect(headers["x-frame-options"], path).toBe("DENY");
    }
    // Two answers never share a nonce.
    const nonceOf = async () =>
      /'nonce-([^']+)'/.exec((await request.get("/login")).headers()["content-security-policy"] ?? "")?.[1];
    expect(await nonceOf()).not.toBe(await nonceOf());

    // A page of another origin tries to frame the console: Chromium refuses to render it.
    await page.goto("about:blank");
    await page.setContent(`<iframe id="victim" src="${DEMO}/login" width="800" height="600"></iframe>`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const framedForm = frame
      ? await frame
          .locator("form")
          .count()
          .catch(() => 0)
      : 0;
    counter.record("framing /login", 200, framedForm === 0);
    expect(framedForm).toBe(0);

    // The console itself still runs its scripts under the policy: signing in works.
    await signIn(page, "member@acme.test");
  });

  test("[SECURITY][GUESSING] parallel sign-in guesses cannot pass the per-account limit", async ({
    browser,
  }) => {
    // A person of our own, so the lock-out hurts no other test.
    const admin = await browser.newPage({ baseURL: DEMO });
    await signIn(admin, "org-admin@acme.test");
    await admin.goto("/org/acme");
    const email = `guess-target-${unique()}@acme.test`;
    await admin.getByRole("button", { name: "Add member" }).click();
    const dialog = admin.getByRole("dialog");
    await dialog.getByLabel("Email").fill(email);
    await dialog.getByRole("button", { name: "Add" }).click();
    const password = await dialog.getByLabel(/one-time password/i).inputValue();
    expect(password.length).toBeGreaterThan(8);

    const attacker = await playwrightRequest.newContext({ baseURL: DEMO });
    // One CSRF token for every guess, as a script would: next-auth checks it against its cookie.
    const csrf = (await (await attacker.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const attempt = async (guess: string) => {
      const response = await attacker.post("/api/auth/callback/credentials", {
        form: { email, password: guess, csrfToken: csrf.csrfToken, json: "true" },
        maxRedirects: 0,
      });
      const location =
        response.headers()["location"] ??
        ((await response.json().catch(() => ({}))) as { url?: string }).url ??
        "";
      const error = new URL(location, DEMO).searchParams.get("error");
      return { status: response.status(), error };
    };
    const answers = await Promise.all([...Array.from({ length: 24 }, (_, i) => attempt(`wrong-guess-${i}`))]);
    const right = await attempt(password);
    const evaluated = answers.filter((a) => a.error === "Wrong email or password.").length;
    for (const a of [...answers, right]) counter.record("parallel guess", a.status, a.error !== null);
    expect(evaluated).toBeLessThanOrEqual(10);
    expect(right.error).toMatch(/Too many failed sign-in attempts/);
    await attacker.dispose();
  });

  test("[SECURITY][SESSION] a cookie copied before sign-out opens nothing after it", async ({
    page,
    browser,
  }) => {
    await signIn(page, "research-admin@acme.test");
    const copied = await page.context().cookies();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);

    const thief = await browser.newContext({ baseURL: DEMO });
    await thief.addCookies(copied);
    const stolen = await thief.newPage();
    await stolen.goto("/research/settings");
    counter.record("replayed session cookie", 200, stolen.url().includes("/login"));
    await expect(stolen).toHaveURL(/\/login\?callbackUrl=/);
    await thief.close();
  });

  test("[SECURITY][URLS] malformed escapes in page URLs answer 404, never 500", async ({ page }) => {
    await signIn(page, "team-admin@acme.test");
    for (const path of [
      "/ml-team/projects/%E0%A4%A",
      "/ml-team/service-accounts/%E0%A4%A",
      "/ml-team/projects/%",
      "/org/acme/service-accounts/%E0%A4%A",
      "/ml-team/projects/%00",
      "/%00",
    ]) {
      const response = await page.request.get(path, { maxRedirects: 0 });
      counter.record(`url ${path}`, response.status(), response.status() === 404);
      expect(response.status(), path).toBe(404);
    }
  });

  test("[SECURITY][SECRETS] a new key never appears in HTML, RSC payloads, audit events or the server's output", async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const idp = await startLocalIssuer();
    const server = await startOwnServer({
      port: 3103,
      databaseUrl: await freshE2eDatabase("secrets"),
      env: { DEPUTY_DEMO: "1", DEPUTY_ALLOW_PRIVATE_ISSUERS: "1", DEPUTY_ALLOW_PRIVATE_WEBHOOKS: "1" },
    });
    try {
      await signIn(page, "org-admin@acme.test", undefined, `${server.url}/login`);
      await page.goto(`${server.url}/ml-team/service-accounts`);
      const name = `leak-check-${unique()}`;
      const key = await newAccountWithKey(page, name);
      const secret = key.slice(key.lastIndexOf("_") + 1);
      const auth = { authorization: `Bearer ${key}` };
      await page.request.get(`${server.url}/api/v1/viewer`, { headers: auth });
      await page.request.post(`${server.url}/api/v1/runs`, {
        headers: auth,
        data: { project: "leak-check" },
      });
      // Mistakes a script makes: the key in the URL, a mangled key, a key as a JSON field.
      await page.request.get(`${server.url}/api/v1/viewer?api_key=${key}`);
      await page.request.get(`${server.url}/api/v1/viewer`, {
        headers: { authorization: `Bearer ${key}zz` },
      });
      await page.request.post(`${server.url}/api/v1/runs`, {
        headers: auth,
        data: { project: "p", token: key },
      });

      for (const path of [
        `/ml-team/service-accounts`,
        `/ml-team/service-accounts/${name}`,
        `/org/acme/service-accounts`,
        `/org/acme/audit-log`,
        `/ml-team/projects/leak-check`,
      ]) {
        for (const headers of [{}, { rsc: "1" }] as Record<string, string>[]) {
          const body = await (await page.request.get(`${server.url}${path}`, { headers })).text();
          const leaked = body.includes(secret) || body.includes(key);
          counter.record(`secret in ${path}`, 200, !leaked);
          expect(leaked, path).toBe(false);
        }
      }
      const events = await sql("secrets", `SELECT metadata, "targetName" FROM "AuditEvent"`);
      expect(JSON.stringify(events)).not.toContain(secret);

      // Rule 37: a session of everything that handles a secret — keys created through the API, a
      // webhook's signing secret, a token exchange and the access token's use, leak reports —
      // then the server's whole output holds none of them, nor a JWT or a hash.
      await page.goto(`${server.url}/org/acme/service-accounts`);
      const admin = await newAccountWithKey(page, `log-admin-${unique()}`, {
        role: "ADMIN",
        defaultTeam: "ml-team",
      });
      const manage = async (method: string, path: string, data?: unknown, headers = {}) => {
        const response = await page.request.fetch(`${server.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${admin}`, ...headers },
          data,
          failOnStatusCode: false,
        });
        expect(response.status(), `${method} ${path}`).toBeLessThan(300);
        return (await response.json()) as unknown;
      };
      await manage("POST", "/api/v1/service-accounts", { name: "log-bot", scope: "team", team: "ml-team" });
      const made = await manage("POST", "/api/v1/service-accounts/log-bot/keys", { name: "ci" });
      const apiKey = (made as { key: { secret: string } }).key.secret;
      expect(apiKey).toMatch(/^dpt_/);
      const hook = await manage("POST", "/api/v1/webhooks", { url: "http://127.0.0.1:9/hook" });
      expect(String((hook as { secret: string }).secret)).toMatch(/^whsec_/);
      await manage("POST", "/api/v1/identity-providers", { issuer: idp.issuer, name: "Log CI" });
      await manage("POST", "/api/v1/service-accounts", {
        name: "log-fed",
        scope: "team",
        team: "ml-team",
        authMethod: "federated",
        federation: {
          issuer: idp.issuer,
          subject: "repo:acme/models:ref:refs/heads/main",
          audience: "deputy",
        },
      });
      const jwt = await idp.mint();
      const exchanged = await page.request.post(`${server.url}/api/v1/oauth/token`, {
        form: {
          grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
          subject_token: jwt,
          subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
        },
      });
      expect(exchanged.status()).toBe(200);
      const accessToken = ((await exchanged.json()) as { access_token: string }).access_token;
      expect(
        (
          await page.request.get(`${server.url}/api/v1/viewer`, {
            headers: { authorization: `Bearer ${accessToken}` },
          })
        ).status(),
      ).toBe(200);
      const leaks = await manage("POST", "/api/v1/leaked-keys", [{ token: apiKey }, { token: accessToken }]);
      const hashes = (leaks as { results: { tokenHash: string }[] }).results.map((r) => r.tokenHash);
      expect(hashes).toHaveLength(2);

      // Request ids: a well-formed one sent is echoed, in the header and in the error JSON.
      const traced = await page.request.get(`${server.url}/api/v1/viewer`, {
        headers: { "x-request-id": "trace-log-check-1" },
        failOnStatusCode: false,
      });
      expect(traced.status()).toBe(401);
      expect(traced.headers()["x-request-id"]).toBe("trace-log-check-1");
      expect(((await traced.json()) as { error: { requestId: string } }).error.requestId).toBe(
        "trace-log-check-1",
      );
      // One shaped like a key is not taken (a pasted key must not reach the log): a fresh id.
      const pasted = await page.request.get(`${server.url}/healthz`, { headers: { "x-request-id": key } });
      expect(pasted.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);

      // The log is written asynchronously: wait for the traced request's line.
      await expect.poll(() => server.output().includes('"reqId":"trace-log-check-1"')).toBe(true);
      const output = server.output();
      const lines = output.split("\n").filter((line) => line.startsWith("{"));
      const requests = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((l) => l.msg === "request");
      expect(requests.length).toBeGreaterThan(20);
      const tracedLine = requests.find((l) => l.reqId === "trace-log-check-1")!;
      expect(tracedLine).toMatchObject({
        level: "info",
        method: "GET",
        route: "/api/v1/viewer",
        status: 401,
      });
      expect(typeof tracedLine.ms).toBe("number");
      expect(tracedLine.ip).toBe("127.0.0.1");
      const viewerByKey = requests.find((l) => String(l.principal).includes("(access token)"));
      expect(viewerByKey?.principal).toMatch(/^log-fed@/);
      for (const shape of [
        secret,
        apiKey.slice(-20),
        accessToken.slice(-20),
        jwt.split(".")[2]!,
        "dpt_",
        "dpa_",
        "whsec_",
        "eyJ",
        ...hashes,
      ]) {
        const leaked = output.includes(shape);
        counter.record("secret in server output", 200, !leaked);
        expect(leaked, shape.slice(0, 8)).toBe(false);
      }
      expect(output).not.toMatch(/[0-9a-f]{64}/);
    } finally {
      await server.stop();
      await idp.close();
    }
  });

  test("[SECURITY][FEDERATION] no ReDoS, no exchange across organizations, no trust settings in refusals", async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const idp = await startLocalIssuer();
    const api = await playwrightRequest.newContext({ baseURL: DEMO });
    try {
      const suffix = unique();
      const page = await (await browser.newContext({ baseURL: DEMO })).newPage();
      await signIn(page, "org-admin@acme.test");
      await page.goto("/org/acme/service-accounts");
      const admin = await newAccountWithKey(page, `redteam-fed-admin-${suffix}`, {
        role: "ADMIN",
        defaultTeam: "ml-team",
      });
      await page.context().close();
      const manage = (method: string, path: string, data?: unknown) =>
        api.fetch(path, {
          method,
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
          data: data === undefined ? undefined : JSON.stringify(data),
          failOnStatusCode: false,
        });
      expect(
        (
          await manage("POST", "/api/v1/identity-providers", { issuer: idp.issuer, name: `Red CI ${suffix}` })
        ).status(),
      ).toBe(201);
      const fedName = `fed-train-${suffix}`;
      const redosName = `redos-${suffix}`;
      const federated = (name: string, subject: string, audience: string, claims: Record<string, string>) =>
        manage("POST", "/api/v1/service-accounts", {
          name,
          scope: "team",
          team: "ml-team",
          authMethod: "federated",
          federation: { issuer: idp.issuer, subject, audience, claims },
        });
      const created = await federated(fedName, "repo:acme/*:ref:refs/heads/main", "deputy", {
        repository_owner: "acme",
      });
      expect(created.status()).toBe(201);
      const aId = ((await created.json()) as { serviceAccount: { id: string } }).serviceAccount.id;
      expect((await federated(redosName, "repo:*/*:*:ref:refs/heads/main", "redos", {})).status()).toBe(201);

      const exchange = async (what: string, jwt: string, extra: Record<string, string> = {}) => {
        const response = await api.post("/api/v1/oauth/token", {
          form: {
            grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
            subject_token: jwt,
            subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
            ...extra,
          },
          failOnStatusCode: false,
        });
        const text = await response.text();
        counter.record(`token exchange: ${what}`, response.status(), response.status() >= 400);
        expect(response.status(), what).toBeLessThan(500);
        return { status: response.status(), text, body: JSON.parse(text) as Record<string, string> };
      };
      const now = Math.floor(Date.now() / 1000);
      const forge = (claims: Record<string, unknown>) => {
        const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
        return `${enc({ alg: "RS256", kid: "rsa-1", typ: "JWT" })}.${enc(claims)}.${enc("forged")}`;
      };

      // 1. ReDoS: the review's crafted forgeries against the worst pattern, beside an unrelated call.
      for (const repeats of [2000, 500]) {
        const crafted = forge({
          iss: idp.issuer,
          aud: "redos",
          sub: "repo:" + "/:".repeat(repeats),
          iat: now,
          exp: now + 600,
        });
        const started = Date.now();
        const [refused, viewer] = await Promise.all([
          exchange(`crafted subject × ${repeats}`, crafted),
          api.get("/api/v1/viewer", { headers: { authorization: `Bearer ${admin}` } }),
        ]);
        expect(refused.status).toBe(400);
        expect(viewer.status()).toBe(200);
        // The backtracking matcher took ~10 s and held every other request for as long.
        expect(Date.now() - started, `crafted subject × ${repeats}`).toBeLessThan(2000);
      }

      // 2. Refusals name the kind of check, never an account or its trust settings.
      const good = { repository_owner: "acme" };
      const refusals: [string, string][] = [
        [
          "forged signature",
          forge({
            iss: idp.issuer,
            aud: "deputy",
            sub: "repo:acme/x:ref:refs/heads/main",
            iat: now,
            exp: now + 600,
            ...good,
          }),
        ],
        ["wrong audience", await idp.mint({ ...good, aud: "someone-else" })],
        ["wrong subject", await idp.mint({ ...good, sub: "repo:evil/x:ref:refs/heads/main" })],
        ["wrong claim", await idp.mint({ repository_owner: "evil" })],
        [
          "lone surrogate in a claim",
          forge({ iss: idp.issuer, aud: "deputy", sub: "\ud800", iat: now, exp: now + 600 }),
        ],
      ];
      for (const [what, jwt] of refusals) {
        const refused = await exchange(what, jwt);
        expect([what, refused.status]).toEqual([what, 400]);
        for (const secret of [fedName, redosName, "repo:acme/*", "repo:*/*", "repository_owner", "acme"])
          expect([what, secret, refused.body.error_description!.includes(secret)]).toEqual([
            what,
            secret,
            false,
          ]);
      }
      const nul = await exchange("NUL in service_account", await idp.mint(good), {
        service_account: "fed\u0000x",
      });
      expect(nul.body.error).toBe("invalid_request");

      // 3. Another organization registers the same issuer and an account of the same name and
      //    trust (written straight into the database: it has nobody who could sign in).
      const globex = {
        org: `fedorg-${suffix}`,
        team: `fedteam-${suffix}`,
        account: `fedsa-${suffix}`,
        idp: `fedidp-${suffix}`,
      };
      const acme = (
        await sql<{ id: string }>("demo", `SELECT id FROM "Organization" WHERE slug = 'acme'`)
      )[0]!;
      const when = new Date();
      await sql(
        "demo",
        `INSERT INTO "Organization" (id, slug, name, "seatLimit", "createdAt", "updatedAt") VALUES ($1, $2, 'Globex', 5, $3, $4)`,
        [globex.org, `globex-fed-${suffix}`, when, when],
      );
      await sql(
        "demo",
        `INSERT INTO "Team" (id, "orgId", slug, name, "createdAt", "updatedAt") VALUES ($1, $2, $3, 'Globex', $4, $5)`,
        [globex.team, globex.org, `globex-fed-team-${suffix}`, when, when],
      );
      await sql(
        "demo",
        `INSERT INTO "IdentityProvider" (id, "orgId", issuer, name, "resolvedJwksUri", jwks, "keyCount", "refreshedAt", "createdAt", "updatedAt")
         SELECT $1, $2, issuer, 'Same CI', "resolvedJwksUri", jwks, "keyCount", "refreshedAt", "createdAt", "updatedAt" FROM "IdentityProvider" WHERE issuer = $3 AND "orgId" = $4`,
        [globex.idp, globex.org, idp.issuer, acme.id],
      );
      await sql(
        "demo",
        `INSERT INTO "ServiceAccount" (id, "orgId", scope, "teamId", name, "authMethod", "createdAt", "updatedAt") VALUES ($1, $2, 'TEAM', $3, $4, 'FEDERATED', $5, $6)`,
        [globex.account, globex.org, globex.team, fedName, when, when],
      );
      await sql(
        "demo",
        `INSERT INTO "FederatedIdentity" (id, "serviceAccountId", issuer, audience, "subjectPattern", "claimConditions", "createdAt", "updatedAt")
         SELECT $1, $2, issuer, audience, "subjectPattern", "claimConditions", "createdAt", "updatedAt" FROM "FederatedIdentity" WHERE "serviceAccountId" = $3`,
        [`fedid-${suffix}`, globex.account, aId],
      );
      const token = () => idp.mint(good);
      for (const extra of [{}, { service_account: fedName }] as Record<string, string>[]) {
        const refused = await exchange("the same token trusted by two organizations", await token(), extra);
        expect([refused.status, refused.body.error]).toEqual([400, "invalid_request"]);
        expect(refused.text).not.toContain(fedName);
        expect(refused.text).not.toContain("globex");
      }
      expect(
        (await manage("PATCH", `/api/v1/service-accounts/${aId}`, { status: "disabled" })).status(),
      ).toBe(200);
      const whileDisabled = await exchange("acme's account disabled", await token(), {
        service_account: fedName,
      });
      expect(whileDisabled.body.access_token).toBeUndefined();
      expect((await manage("PATCH", `/api/v1/service-accounts/${aId}`, { status: "active" })).status()).toBe(
        200,
      );
      const globexTokens = await sql<{ n: number | string }>(
        "demo",
        `SELECT COUNT(*) AS n FROM "AccessToken" WHERE "serviceAccountId" = $1`,
        [globex.account],
      );
      expect(Number(globexTokens[0]!.n)).toBe(0);
      // Naming the organization decides it, and the token works where it was meant to.
      const pinned = await exchange("pinned to acme", await token(), {
        service_account: `${fedName}@acme.sa.deputy.local`,
      });
      expect(pinned.status).toBe(200);
      const viewer = await api.get("/api/v1/viewer", {
        headers: { authorization: `Bearer ${pinned.body.access_token}` },
      });
      expect(((await viewer.json()) as { principal: { id: string } }).principal.id).toBe(aId);
    } finally {
      await api.dispose();
      await idp.close();
    }
  });
});

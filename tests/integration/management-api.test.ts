// The management API of SPEC §4 over real HTTP on the real database: rule 17's matrix, the
// ServiceAccount and ApiKey answers, filters and cursors, bad input, and secrets shown once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { startApiServer } from "../support/api-server";
import { registerIssuer } from "../support/factories";
import {
  MANAGEMENT_MATRIX,
  runManagementMatrix,
  seedManagementWorld,
  type ManagementWorld,
} from "../support/management-matrix";

let api: Awaited<ReturnType<typeof startApiServer>>;
let w: ManagementWorld;

beforeAll(async () => {
  api = await startApiServer();
  w = await seedManagementWorld();
});
afterAll(() => api.close());

const admin = () => w.callers["org-admin"].key;
const teamAdmin = () => w.callers["team-admin"].key;

describe("rule 17: the management matrix", () => {
  it(`answers every caller × target × operation as written (${MANAGEMENT_MATRIX.trim().split("\n").length} cells)`, async () => {
    expect(await runManagementMatrix(w, api.call)).toEqual([]);
  }, 120_000);

  it("refuses a non-ADMIN account before reading anything, naming its role", async () => {
    const answer = await api.call("/api/v1/service-accounts", { key: w.callers["org-member"].key });
    expect(answer.status).toBe(403);
    expect(answer.body.error?.message).toMatch(/Only ADMIN service accounts.*org-member is member/);
  });
});

describe("service accounts", () => {
  it("creates, reads by id and by name, changes and deletes, answering SPEC §4's ServiceAccount", async () => {
    const created = await api.call("/api/v1/service-accounts", {
      key: admin(),
      body: {
        name: "nightly-retrain",
        scope: "TEAM",
        team: w.world.alpha.slug,
        role: "Viewer",
        description: "Retrains at 2am",
      },
    });
    expect(created.status).toBe(201);
    const account = created.body.serviceAccount as Record<string, unknown>;
    expect(account).toEqual({
      id: expect.any(String) as string,
      name: "nightly-retrain",
      identity: `nightly-retrain@${w.world.org.slug}.sa.deputy.local`,
      description: "Retrains at 2am",
      scope: "team",
      team: w.world.alpha.slug,
      role: "viewer",
      status: "active",
      authMethod: "api_key",
      federation: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) as string,
      createdBy: w.callers["org-admin"].identity,
      lastUsedAt: null,
      keyCount: 0,
      owner: null,
      ownerLeft: false,
      contact: null,
    });
    const byName = await api.call("/api/v1/service-accounts/nightly-retrain", { key: admin() });
    const byId = await api.call(`/api/v1/service-accounts/${String(account.id)}`, { key: admin() });
    expect(byName.body).toEqual(byId.body);

    const changed = await api.call("/api/v1/service-accounts/nightly-retrain", {
      key: admin(),
      method: "PATCH",
      body: { name: "nightly-retrainer", role: "MEMBER", status: "disabled" },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.serviceAccount).toMatchObject({
      name: "nightly-retrainer",
      role: "member",
      status: "disabled",
    });
    const events = await db.auditEvent.findMany({
      where: { targetId: String(account.id) },
      orderBy: { createdAt: "asc" },
      select: { action: true, actorIdentity: true, actorType: true },
    });
    expect(events.map((e) => e.action)).toEqual([
      "service_account.created",
      "service_account.updated",
      "service_account.disabled",
    ]);
    expect(new Set(events.map((e) => `${e.actorType} ${e.actorIdentity}`))).toEqual(
      new Set([`SERVICE_ACCOUNT ${w.callers["org-admin"].identity}`]),
    );

    const gone = await api.call("/api/v1/service-accounts/nightly-retrainer", {
      key: admin(),
      method: "DELETE",
    });
    expect(gone.status).toBe(204);
    expect(gone.text).toBe("");
    expect((await api.call("/api/v1/service-accounts/nightly-retrainer", { key: admin() })).status).toBe(404);
  });

  it("answers 409 name_taken for a duplicate name, on create and on rename", async () => {
    const body = { name: "dup-name", scope: "org", team: w.world.beta.slug };
    expect((await api.call("/api/v1/service-accounts", { key: admin(), body })).status).toBe(201);
    const again = await api.call("/api/v1/service-accounts", { key: admin(), body });
    expect([again.status, again.body.error?.code]).toEqual([409, "name_taken"]);
    await api.call("/api/v1/service-accounts", { key: admin(), body: { ...body, name: "dup-other" } });
    const rename = await api.call("/api/v1/service-accounts/dup-other", {
      key: admin(),
      method: "PATCH",
      body: { name: "dup-name" },
    });
    expect([rename.status, rename.body.error?.code]).toEqual([409, "name_taken"]);
  });

  it("creates a federated account with its trust settings, which refuses keys with 409", async () => {
    await registerIssuer(w.world.org.id);
    const federation = {
      issuer: "https://token.actions.githubusercontent.com",
      subject: "repo:acme/models:ref:refs/heads/main",
      audience: "deputy",
      claims: { repository_owner: "acme" },
    };
    const created = await api.call("/api/v1/service-accounts", {
      key: admin(),
      body: {
        name: "gha-deploy",
        scope: "team",
        team: w.world.alpha.slug,
        authMethod: "federated",
        federation,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.serviceAccount).toMatchObject({ authMethod: "federated", federation });
    const key = await api.call("/api/v1/service-accounts/gha-deploy/keys", {
      key: admin(),
      body: { name: "nope" },
    });
    expect([key.status, key.body.error?.code]).toEqual([409, "conflict"]);
    const missing = await api.call("/api/v1/service-accounts", {
      key: admin(),
      body: { name: "gha-missing", scope: "team", team: w.world.alpha.slug, authMethod: "federated" },
    });
    expect([missing.status, missing.body.error?.message]).toEqual([400, expect.stringMatching(/federation/)]);
    const patched = await api.call("/api/v1/service-accounts/gha-deploy", {
      key: admin(),
      method: "PATCH",
      body: { federation: { ...federation, subject: "repo:acme/models:*" } },
    });
    expect(patched.body.serviceAccount).toMatchObject({ federation: { subject: "repo:acme/models:*" } });
    expect(
      await db.auditEvent.count({
        where: { action: "service_account.federation_updated", actorId: w.callers["org-admin"].id },
      }),
    ).toBe(1);
  });

  it("lists by name with filters and a cursor: no duplicates, no gaps", async () => {
    for (let i = 0; i < 7; i += 1) {
      await createServiceAccountFromForm(
        w.world.as.orgAdmin,
        { teamSlug: w.world.beta.slug },
        { name: `page-${i}`, role: "VIEWER" },
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?q=page-&limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const answer = await api.call(`/api/v1/service-accounts${query}`, { key: admin() });
      expect(answer.status).toBe(200);
      seen.push(...(answer.body.serviceAccounts as { name: string }[]).map((a) => a.name));
      cursor = answer.body.nextCursor as string | null;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual(["page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6"]);
    expect(pages).toBe(3);

    const filtered = await api.call(
      `/api/v1/service-accounts?scope=TEAM&team=${w.world.beta.slug}&status=active&authMethod=api_key&q=page-3`,
      { key: admin() },
    );
    expect((filtered.body.serviceAccounts as { name: string }[]).map((a) => a.name)).toEqual(["page-3"]);
    // A team-scoped admin lists only its own team's team-scoped accounts.
    const mine = await api.call("/api/v1/service-accounts?limit=100", { key: teamAdmin() });
    const teams = new Set(
      (mine.body.serviceAccounts as { team: string; scope: string }[]).map((a) => `${a.scope} ${a.team}`),
    );
    expect(teams).toEqual(new Set([`team ${w.world.alpha.slug}`]));
  });

  it("answers 400 for tampered cursors, unknown fields and out-of-range values, never 500", async () => {
    const bad = [
      "/api/v1/service-accounts?cursor=bm90LWEtbmFtZSE",
      "/api/v1/service-accounts?cursor=%F0%9F%98%80",
      "/api/v1/service-accounts?limit=0",
      "/api/v1/service-accounts?limit=101",
      "/api/v1/service-accounts?scope=galaxy",
      "/api/v1/service-accounts?sort=name",
    ];
    for (const path of bad) {
      const answer = await api.call(path, { key: admin() });
      expect([path, answer.status, answer.body.error?.code]).toEqual([path, 400, "invalid_request"]);
    }
    const bodies: unknown[] = [
      { name: "x", scope: "team", team: w.world.alpha.slug },
      { name: "valid-name", scope: "team", team: w.world.alpha.slug, owner: "me" },
      { name: "valid-name", scope: "everywhere", team: w.world.alpha.slug },
      { name: "valid-name", scope: "team", team: "t".repeat(65) },
      { name: "valid-name", scope: "team", team: w.world.alpha.slug, description: "d".repeat(501) },
      { name: "valid-name", scope: "team", team: w.world.alpha.slug, description: "\ud800" },
      [],
      "valid-name",
    ];
    for (const body of bodies) {
      const answer = await api.call("/api/v1/service-accounts", { key: admin(), body });
      expect([JSON.stringify(body).slice(0, 60), answer.status]).toEqual([
        JSON.stringify(body).slice(0, 60),
        400,
      ]);
    }
    const empty = await api.call("/api/v1/service-accounts/org-admin", {
      key: admin(),
      method: "PATCH",
      body: {},
    });
    expect(empty.status).toBe(400);
    const unknownTeam = await api.call("/api/v1/service-accounts", {
      key: admin(),
      body: { name: "valid-name", scope: "team", team: w.elsewhere.alpha.slug },
    });
    expect([unknownTeam.status, unknownTeam.body.error?.code]).toEqual([404, "not_found"]);
    expect(await db.serviceAccount.count({ where: { name: "valid-name" } })).toBe(0);
  });
});

describe("keys", () => {
  it("shows a secret once, in the create answer only; the key works and is listed without it", async () => {
    const { id } = await createServiceAccountFromForm(
      w.world.as.orgAdmin,
      { teamSlug: w.world.alpha.slug },
      { name: "key-holder" },
    );
    const created = await api.call("/api/v1/service-accounts/key-holder/keys", {
      key: admin(),
      body: { name: "github-actions", expiresInDays: 30 },
    });
    expect(created.status).toBe(201);
    const key = created.body.key as { id: string; secret: string; last4: string; expiresAt: string };
    expect(key).toMatchObject({
      name: "github-actions",
      status: "active",
      createdBy: w.callers["org-admin"].identity,
    });
    expect(key.secret.endsWith(key.last4)).toBe(true);
    expect(Date.parse(key.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const viewer = await api.call("/api/v1/viewer", { key: key.secret });
    expect(viewer.body.principal).toMatchObject({ name: "key-holder" });

    const listed = await api.call("/api/v1/service-accounts/key-holder/keys", { key: admin() });
    expect(listed.text).not.toContain(key.secret);
    expect(listed.text).not.toMatch(/secret|hash/i);
    expect(listed.body.keys).toEqual([
      expect.objectContaining({ id: key.id, name: "github-actions", lastUsedAt: null }),
    ]);
    const account = await api.call(`/api/v1/service-accounts/${id}`, { key: admin() });
    expect(account.body.serviceAccount).toMatchObject({ keyCount: 1 });

    // Revoke by the key id inside the token: the key is refused at once.
    const tokenKeyId = key.secret.split("_")[1]!;
    const revoked = await api.call(`/api/v1/service-accounts/key-holder/keys/${tokenKeyId}`, {
      key: admin(),
      method: "DELETE",
    });
    expect(revoked.status).toBe(204);
    expect((await api.call("/api/v1/viewer", { key: key.secret })).body.error?.code).toBe(
      "revoked_credential",
    );
    const after = await api.call("/api/v1/service-accounts/key-holder/keys", { key: admin() });
    expect(after.body.keys).toEqual([expect.objectContaining({ status: "revoked" })]);
    expect(
      await db.apiKey.findUniqueOrThrow({ where: { id: key.id }, select: { revokedByIdentity: true } }),
    ).toEqual({ revokedByIdentity: w.callers["org-admin"].identity });
  });

  it("disabling and deleting through the API stop the account's keys", async () => {
    const { id } = await createServiceAccountFromForm(
      w.world.as.orgAdmin,
      { teamSlug: w.world.alpha.slug },
      { name: "soon-gone" },
    );
    const { secret } = await createApiKeyFromForm(w.world.as.orgAdmin, id, { name: "k" });
    await api.call("/api/v1/service-accounts/soon-gone", {
      key: teamAdmin(),
      method: "PATCH",
      body: { status: "disabled" },
    });
    expect((await api.call("/api/v1/viewer", { key: secret })).body.error?.code).toBe("account_disabled");
    await api.call("/api/v1/service-accounts/soon-gone", {
      key: teamAdmin(),
      method: "PATCH",
      body: { status: "active" },
    });
    expect((await api.call("/api/v1/viewer", { key: secret })).status).toBe(200);
    expect(
      (await api.call("/api/v1/service-accounts/soon-gone", { key: teamAdmin(), method: "DELETE" })).status,
    ).toBe(204);
    expect((await api.call("/api/v1/viewer", { key: secret })).body.error?.code).toBe("revoked_credential");
  });

  it("keeps the org's maximum key lifetime and never-expiring keys apart", async () => {
    await createServiceAccountFromForm(
      w.world.as.orgAdmin,
      { teamSlug: w.world.alpha.slug },
      { name: "lifetime" },
    );
    const never = await api.call("/api/v1/service-accounts/lifetime/keys", {
      key: admin(),
      body: { name: "forever", expiresInDays: null },
    });
    expect(never.body.key).toMatchObject({ expiresAt: null });
    await db.organization.update({ where: { id: w.world.org.id }, data: { maxKeyLifetimeDays: 30 } });
    try {
      for (const expiresInDays of [null, 31]) {
        const refused = await api.call("/api/v1/service-accounts/lifetime/keys", {
          key: admin(),
          body: { name: "too-long", expiresInDays },
        });
        expect([refused.status, refused.body.error?.message]).toEqual([
          400,
          expect.stringMatching(/within 30 days/),
        ]);
      }
    } finally {
      await db.organization.update({ where: { id: w.world.org.id }, data: { maxKeyLifetimeDays: null } });
    }
  });
});

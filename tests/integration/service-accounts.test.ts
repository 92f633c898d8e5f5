import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { countSeatsUsed } from "@/lib/orgs/overview";
import { generateApiKey } from "@/lib/keys/format";
import { verifyApiKey } from "@/lib/keys/verify";
import {
  createApiKeyFromForm,
  createServiceAccountFromForm,
  deleteServiceAccountFromForm,
  getServiceAccountDetail,
  listServiceAccounts,
  setServiceAccountStatusFromForm,
  updateServiceAccountFromForm,
} from "@/lib/service-accounts";
import { revokeKey } from "@/lib/keys/lifecycle";
import { CREDENTIAL_CACHE_TTL_MS } from "@/lib/keys/credential-cache";
import { renderMetrics } from "@/lib/ops/metrics";
import { TEST_ENGINE } from "../support/engine";
import { auditActions, makeOrg, registerIssuer } from "../support/factories";
import { codeOf } from "../support/app-error";

type World = Awaited<ReturnType<typeof makeOrg>>;

const teamAccount = (w: World, name = "ci-model-training") =>
  createServiceAccountFromForm(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, { name });

async function fieldErrorsOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error("expected an AppError");
  return error.fieldErrors ?? {};
}

describe("creating service accounts", () => {
  it("lets an org admin create an org-scoped account with a required default team", async () => {
    const w = await makeOrg();
    const other = await makeOrg();
    expect(
      await fieldErrorsOf(
        createServiceAccountFromForm(w.as.orgAdmin, { orgSlug: w.org.slug }, { name: "nightly-retrain" }),
      ),
    ).toHaveProperty("defaultTeam");
    expect(
      await fieldErrorsOf(
        createServiceAccountFromForm(
          w.as.orgAdmin,
          { orgSlug: w.org.slug },
          { name: "nightly-retrain", defaultTeam: other.alpha.slug },
        ),
      ),
    ).toEqual({ defaultTeam: "Choose a team of this organization." });

    const created = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { name: "nightly-retrain", defaultTeam: w.beta.slug, role: "VIEWER" },
    );
    expect(await db.serviceAccount.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({
      scope: "ORG",
      teamId: w.beta.id,
      role: "VIEWER",
      status: "ACTIVE",
      createdByUserId: w.people.orgAdmin.id,
    });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: w.org.id, action: "service_account.created" },
    });
    expect(event).toMatchObject({
      actorIdentity: w.people.orgAdmin.email,
      targetName: `nightly-retrain@${w.org.slug}.sa.deputy.local`,
    });
  });

  it("lets only org admins create org-scoped accounts", async () => {
    const w = await makeOrg();
    const other = await makeOrg();
    for (const caller of [w.as.alphaAdmin, w.as.orgMember, other.as.orgAdmin]) {
      expect(
        await codeOf(
          createServiceAccountFromForm(
            caller,
            { orgSlug: w.org.slug },
            { name: "sneaky", defaultTeam: w.alpha.slug },
          ),
        ),
      ).toBe("FORBIDDEN");
    }
  });

  it("lets a team's admins and org admins create team-scoped accounts; nobody else", async () => {
    const w = await makeOrg();
    const other = await makeOrg();
    expect(await codeOf(teamAccount(w))).toBe("OK");
    expect(
      await codeOf(
        createServiceAccountFromForm(w.as.orgAdmin, { teamSlug: w.alpha.slug }, { name: "by-org-admin" }),
      ),
    ).toBe("OK");
    for (const caller of [w.as.alphaMember, w.as.alphaViewer, w.as.betaAdmin, other.as.orgAdmin]) {
      expect(
        await codeOf(createServiceAccountFromForm(caller, { teamSlug: w.alpha.slug }, { name: "sneaky" })),
      ).toBe("FORBIDDEN");
    }
    expect(await db.serviceAccount.count({ where: { name: "sneaky" } })).toBe(0);
  });

  it("keeps names unique among the org's live accounts, and frees a deleted account's name", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    expect(
      await fieldErrorsOf(
        createServiceAccountFromForm(
          w.as.orgAdmin,
          { orgSlug: w.org.slug },
          { name: "ci-model-training", defaultTeam: w.beta.slug },
        ),
      ),
    ).toEqual({ name: "Already taken in this organization." });
    await deleteServiceAccountFromForm(w.as.alphaAdmin, id, { confirmName: "ci-model-training" });
    expect(await codeOf(teamAccount(w))).toBe("OK");
    // Another org may use the same name.
    const other = await makeOrg();
    expect(await codeOf(teamAccount(other))).toBe("OK");
  });

  it("never takes a seat, and respects the org's account quota", async () => {
    const w = await makeOrg();
    await db.organization.update({ where: { id: w.org.id }, data: { maxServiceAccounts: 2 } });
    const seats = await countSeatsUsed(w.org.id);
    await teamAccount(w, "first-account");
    await teamAccount(w, "second-account");
    expect(await countSeatsUsed(w.org.id)).toBe(seats);
    const error = await teamAccount(w, "third-account").catch((e: unknown) => e);
    expect((error as AppError).code).toBe("LIMIT_REACHED");
    expect((error as AppError).message).toMatch(/quota of 2 service accounts/);
  });

  it("stores federation settings and never lets a federated account own keys", async () => {
    const w = await makeOrg();
    await registerIssuer(w.org.id);
    const { id } = await createServiceAccountFromForm(
      w.as.alphaAdmin,
      { teamSlug: w.alpha.slug },
      {
        name: "gha-deploy",
        authMethod: "FEDERATED",
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:acme/*:ref:refs/heads/main",
        audience: "deputy",
      },
    );
    expect(await db.federatedIdentity.findFirstOrThrow({ where: { serviceAccountId: id } })).toMatchObject({
      issuer: "https://token.actions.githubusercontent.com",
      subjectPattern: "repo:acme/*:ref:refs/heads/main",
      audience: "deputy",
    });
    const error = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "nope" }).catch((e: unknown) => e);
    expect((error as AppError).message).toMatch(/can't own API keys/);
    expect(await db.apiKey.count({ where: { serviceAccountId: id } })).toBe(0);
  });
});

describe("API keys", () => {
  it("returns the secret once and stores only its hash; the key then verifies", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "github-actions", expiresIn: "30" });
    expect(key.secret).toMatch(/^dpt_/);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(17, 49));
    expect(row.last4).toBe(key.secret.slice(-4));
    expect(row.expiresAt!.getTime() - Date.now()).toBeGreaterThan(29.9 * 86_400_000);

    const verified = await verifyApiKey(key.secret);
    expect(verified).toMatchObject({
      ok: true,
      value: {
        serviceAccount: {
          name: "ci-model-training",
          scope: "TEAM",
          identity: `ci-model-training@${w.org.slug}.sa.deputy.local`,
        },
      },
    });

    const detail = await getServiceAccountDetail(
      w.as.alphaViewer,
      { teamSlug: w.alpha.slug },
      "ci-model-training",
    );
    expect(detail.canManage).toBe(false);
    expect(detail.keys).toEqual([
      expect.objectContaining({ name: "github-actions", masked: `dpt_…${row.last4}`, status: "active" }),
    ]);
    expect(JSON.stringify(detail)).not.toContain(row.secretHash);
    expect(JSON.stringify(detail)).not.toContain(key.secret);
  });

  it("refuses garbage, a wrong secret and an unknown key with the same answer", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "ci" });
    const unknown = generateApiKey().token;
    const wrongSecret = `${key.secret.slice(0, 17)}${generateApiKey().token.slice(17)}`;
    for (const token of ["garbage", `${key.secret}x`, unknown, wrongSecret]) {
      expect(await verifyApiKey(token)).toEqual({ ok: false, code: "invalid_credential" });
    }
  });

  it("refuses a disabled account's keys until it is enabled again", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "ci" });
    await setServiceAccountStatusFromForm(w.as.alphaAdmin, id, { status: "DISABLED" });
    expect(await verifyApiKey(key.secret)).toEqual({ ok: false, code: "account_disabled" });
    await setServiceAccountStatusFromForm(w.as.alphaAdmin, id, { status: "ACTIVE" });
    expect((await verifyApiKey(key.secret)).ok).toBe(true);
    expect(await auditActions(w.org.id)).toEqual(
      expect.arrayContaining(["service_account.disabled", "service_account.enabled"]),
    );
  });

  it("refuses revoked and expired keys, and every key of a deleted account", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    const revoked = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "old" });
    const kept = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "kept", expiresIn: "never" });
    await revokeKey(w.as.alphaAdmin, id, revoked.id);
    expect(await verifyApiKey(revoked.secret)).toEqual({ ok: false, code: "revoked_credential" });
    expect(await verifyApiKey(kept.secret, new Date(Date.now() + 3650 * 86_400_000))).toMatchObject({
      ok: true,
    });

    const expiring = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "short", expiresIn: "30" });
    expect(await verifyApiKey(expiring.secret, new Date(Date.now() + 31 * 86_400_000))).toEqual({
      ok: false,
      code: "expired_credential",
    });

    const error = await deleteServiceAccountFromForm(w.as.alphaAdmin, id, {
      confirmName: "wrong-name",
    }).catch((e: unknown) => e);
    expect((error as AppError).fieldErrors).toEqual({ confirmName: "Type ci-model-training to confirm." });
    await deleteServiceAccountFromForm(w.as.alphaAdmin, id, { confirmName: "ci-model-training" });
    expect(await verifyApiKey(kept.secret)).toEqual({ ok: false, code: "revoked_credential" });
    expect(await db.apiKey.count({ where: { serviceAccountId: id, revokedAt: null } })).toBe(0);
    // Gone from lists; its history stays in the audit log.
    expect((await listServiceAccounts(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, {})).total).toBe(0);
    expect(await auditActions(w.org.id)).toEqual(
      expect.arrayContaining([
        "service_account.created",
        "api_key.created",
        "api_key.revoked",
        "service_account.deleted",
      ]),
    );
  });

  it("respects the org's key quota and maximum key lifetime", async () => {
    const w = await makeOrg();
    await db.organization.update({
      where: { id: w.org.id },
      data: { maxKeysPerAccount: 1, maxKeyLifetimeDays: 90 },
    });
    const { id } = await teamAccount(w);
    expect(
      await fieldErrorsOf(createApiKeyFromForm(w.as.alphaAdmin, id, { name: "forever", expiresIn: "never" })),
    ).toEqual({
      expiresIn: "Keys in this organization must expire within 90 days.",
    });
    expect(
      await fieldErrorsOf(createApiKeyFromForm(w.as.alphaAdmin, id, { name: "long", expiresIn: "365" })),
    ).toHaveProperty("expiresIn");
    const first = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "first", expiresIn: "90" });
    expect(await codeOf(createApiKeyFromForm(w.as.alphaAdmin, id, { name: "second", expiresIn: "30" }))).toBe(
      "LIMIT_REACHED",
    );
    await revokeKey(w.as.alphaAdmin, id, first.id);
    expect(await codeOf(createApiKeyFromForm(w.as.alphaAdmin, id, { name: "second", expiresIn: "30" }))).toBe(
      "OK",
    );
  });
});

describe("the credential cache and changes made by another process", () => {
  const cacheHits = async () =>
    Number(
      /deputy_credential_cache_lookups_total\{result="hit"\} (\d+)/.exec((await renderMetrics()).body)?.[1] ??
        0,
    );

  it("keeps serving a key past the TTL only while nothing was committed, and refuses it within the TTL of a revocation it did not make", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "ci" });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    try {
      expect((await verifyApiKey(key.secret)).ok).toBe(true); // read from the database, cached
      vi.setSystemTime(Date.now() + 5 * CREDENTIAL_CACHE_TTL_MS);
      const hits = await cacheHits();
      expect((await verifyApiKey(key.secret)).ok).toBe(true);
      // SQLite: no connection committed anything since the read, so the entry is renewed
      // without reading the database. PostgreSQL has no such counter: read again at the TTL.
      expect(await cacheHits()).toBe(hits + (TEST_ENGINE === "sqlite" ? 1 : 0));

      // Another process revokes the key straight in the database: no cache is cleared.
      await db.$executeRaw`UPDATE "ApiKey" SET "revokedAt" = "createdAt" WHERE "id" = ${key.id}`;
      vi.setSystemTime(Date.now() + CREDENTIAL_CACHE_TTL_MS);
      expect(await verifyApiKey(key.secret)).toEqual({ ok: false, code: "revoked_credential" });
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("managing accounts across teams and orgs", () => {
  it("refuses every change by members, viewers, other teams' admins and other orgs", async () => {
    const w = await makeOrg();
    const other = await makeOrg();
    const { id } = await teamAccount(w);
    const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "ci" });
    const attempts = (caller: World["as"]["orgAdmin"]) => [
      updateServiceAccountFromForm(caller, id, { name: "renamed", description: "", role: "ADMIN" }),
      setServiceAccountStatusFromForm(caller, id, { status: "DISABLED" }),
      deleteServiceAccountFromForm(caller, id, { confirmName: "ci-model-training" }),
      createApiKeyFromForm(caller, id, { name: "stolen" }),
      revokeKey(caller, id, key.id),
    ];
    // Handlers attach to every attempt at once: a refusal must not go unhandled while we wait.
    for (const caller of [w.as.alphaMember, w.as.alphaViewer]) {
      for (const code of await Promise.all(attempts(caller).map(codeOf))) expect(code).toBe("FORBIDDEN");
    }
    for (const caller of [w.as.betaAdmin, w.as.orgMember, other.as.orgAdmin]) {
      for (const code of await Promise.all(attempts(caller).map(codeOf))) expect(code).toBe("NOT_FOUND");
    }
    expect(await db.serviceAccount.findUniqueOrThrow({ where: { id } })).toMatchObject({
      name: "ci-model-training",
      status: "ACTIVE",
      deletedAt: null,
    });
    expect(await db.apiKey.count({ where: { serviceAccountId: id } })).toBe(1);
    // A key id of another account is refused even through an account the caller manages.
    const mine = await teamAccount(w, "other-account");
    expect(await codeOf(revokeKey(w.as.alphaAdmin, mine.id, key.id))).toBe("NOT_FOUND");
    expect((await verifyApiKey(key.secret)).ok).toBe(true);
  });

  it("lets the org admin manage a team's account, and edits are audited", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    await updateServiceAccountFromForm(w.as.orgAdmin, id, {
      name: "ci-training",
      description: "GitHub Actions",
      role: "VIEWER",
    });
    expect(await db.serviceAccount.findUniqueOrThrow({ where: { id } })).toMatchObject({
      name: "ci-training",
      description: "GitHub Actions",
      role: "VIEWER",
    });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: w.org.id, action: "service_account.updated" },
    });
    expect(event.metadata).toEqual({
      changes: {
        name: { from: "ci-model-training", to: "ci-training" },
        description: { from: "", to: "GitHub Actions" },
        role: { from: "MEMBER", to: "VIEWER" },
      },
    });
  });
});

describe("listing", () => {
  it("paginates, searches and filters, with read-only rows for members", async () => {
    const w = await makeOrg();
    for (let i = 0; i < 23; i++) await teamAccount(w, `job-${String(i).padStart(2, "0")}`);
    const { id } = await teamAccount(w, "special-runner");
    await setServiceAccountStatusFromForm(w.as.alphaAdmin, id, { status: "DISABLED" });
    await createServiceAccountFromForm(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { name: "org-wide", defaultTeam: w.beta.slug },
    );

    const page1 = await listServiceAccounts(w.as.alphaMember, { teamSlug: w.alpha.slug }, {});
    expect(page1.total).toBe(24);
    expect(page1.items).toHaveLength(20);
    expect(page1.items.every((row) => !row.canManage)).toBe(true);
    expect(
      (await listServiceAccounts(w.as.alphaMember, { teamSlug: w.alpha.slug }, { page: 2 })).items,
    ).toHaveLength(4);
    expect(
      (await listServiceAccounts(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, {})).items[0]!.canManage,
    ).toBe(true);

    const search = await listServiceAccounts(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, { q: "SPECIAL" });
    expect(search.items.map((r) => r.name)).toEqual(["special-runner"]);
    const disabled = await listServiceAccounts(
      w.as.alphaAdmin,
      { teamSlug: w.alpha.slug },
      { status: "disabled" },
    );
    expect(disabled.items.map((r) => r.name)).toEqual(["special-runner"]);
    expect(
      (await listServiceAccounts(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, { unused: true })).total,
    ).toBe(0);

    const orgList = await listServiceAccounts(w.as.orgAdmin, { orgSlug: w.org.slug }, { scope: "org" });
    expect(orgList.items.map((r) => [r.name, r.canManage])).toEqual([["org-wide", true]]);
    const inventory = await listServiceAccounts(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { scope: "team", q: "special" },
    );
    expect(inventory.items.map((r) => [r.name, r.team.slug, r.canManage])).toEqual([
      ["special-runner", w.alpha.slug, false],
    ]);

    expect(await codeOf(listServiceAccounts(w.as.betaAdmin, { teamSlug: w.alpha.slug }, {}))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(listServiceAccounts(w.as.alphaAdmin, { orgSlug: w.org.slug }, {}))).toBe("FORBIDDEN");
    expect(
      await codeOf(listServiceAccounts(w.as.alphaAdmin, { teamSlug: w.alpha.slug, orgSlug: w.org.slug }, {})),
    ).toBe("NOT_FOUND");
  });
});

describe("the new account first (pin)", () => {
  it("heads page 1 only where the filters and the caller's place would list it", async () => {
    const w = await makeOrg();
    const other = await makeOrg();
    for (let i = 0; i < 21; i++) await teamAccount(w, `job-${String(i).padStart(2, "0")}`);
    const { id } = await teamAccount(w, "zz-last");
    const place = { teamSlug: w.alpha.slug };

    const unpinned = await listServiceAccounts(w.as.alphaAdmin, place, {});
    const pinned = await listServiceAccounts(w.as.alphaAdmin, place, { pin: id });
    // The page's own 20 rows, with the new account on top of them: nothing pushed off.
    expect(pinned.items.map((r) => [r.name, r.pinned])).toEqual([
      ["zz-last", true],
      ...unpinned.items.map((r) => [r.name, false]),
    ]);
    expect(unpinned.items.at(-1)!.name).toBe("job-19");
    expect(pinned.total).toBe(22);
    // Page 2 is unchanged by the pin: the account keeps its sorted place there too.
    const page2 = await listServiceAccounts(w.as.alphaAdmin, place, { page: 2, pin: id });
    expect(page2.items.map((r) => r.name)).toEqual(["job-20", "zz-last"]);
    expect(page2.items.every((r) => !r.pinned)).toBe(true);
    // Pinning an account that is on page 1 anyway moves it to the top, once.
    const early = await listServiceAccounts(w.as.alphaAdmin, place, { pin: unpinned.items[5]!.id });
    expect(early.items.map((r) => r.name)).toEqual([
      "job-05",
      ...unpinned.items.map((r) => r.name).filter((n) => n !== "job-05"),
    ]);
    // A filter that excludes it wins over the pin.
    expect(
      (await listServiceAccounts(w.as.alphaAdmin, place, { pin: id, q: "job-0" })).items.some(
        (r) => r.name === "zz-last",
      ),
    ).toBe(false);
    // Another org's or another team's account id pins nothing and reveals nothing.
    const theirs = await createServiceAccountFromForm(
      other.as.alphaAdmin,
      { teamSlug: other.alpha.slug },
      { name: "their-secret-job" },
    );
    const betaOne = await createServiceAccountFromForm(
      w.as.betaAdmin,
      { teamSlug: w.beta.slug },
      { name: "beta-job" },
    );
    for (const foreign of [theirs.id, betaOne.id, "not-an-id"]) {
      const list = await listServiceAccounts(w.as.alphaAdmin, place, { pin: foreign });
      expect(list.items[0]!.name).toBe("job-00");
      expect(list.items.some((r) => r.pinned)).toBe(false);
      expect(list.total).toBe(22);
    }
  });
});

describe("secrets", () => {
  it("never puts a secret or a hash in an audit event", async () => {
    const w = await makeOrg();
    const { id } = await teamAccount(w);
    const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "ci" });
    await revokeKey(w.as.alphaAdmin, id, key.id);
    await deleteServiceAccountFromForm(w.as.alphaAdmin, id, { confirmName: "ci-model-training" });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    const events = JSON.stringify(await db.auditEvent.findMany({ where: { orgId: w.org.id } }));
    expect(events).not.toContain(key.secret);
    expect(events).not.toContain(key.secret.slice(17, 49));
    expect(events).not.toContain(row.secretHash);
  });
});

describe("the Why? table", () => {
  it("explains each project with the API's own rules, for admins only", async () => {
    const { explainProjectAccess } = await import("@/lib/service-accounts");
    const w = await makeOrg();
    await teamAccount(w, "alpha-ci");
    await db.project.createMany({
      data: [
        { teamId: w.alpha.id, name: "home-team", visibility: "TEAM" },
        { teamId: w.alpha.id, name: "home-secret", visibility: "RESTRICTED" },
        { teamId: w.beta.id, name: "beta-open", visibility: "OPEN" },
        { teamId: w.beta.id, name: "beta-public", visibility: "PUBLIC" },
        { teamId: w.beta.id, name: "beta-team", visibility: "TEAM" },
      ],
    });
    const { rows, hiddenCount } = await explainProjectAccess(
      w.as.alphaAdmin,
      { teamSlug: w.alpha.slug },
      "alpha-ci",
    );
    // beta-team is not named: alpha's admin could not open it (SPEC §8).
    expect(rows.map((r) => [r.project.split("/")[1], r.read, r.write, r.why])).toEqual([
      ["home-secret", false, false, "restricted project: not granted"],
      ["home-team", true, true, "own team's project"],
      ["beta-open", true, true, "other team's OPEN project"],
      ["beta-public", true, false, "read only — other team's PUBLIC project: read only"],
    ]);
    expect(hiddenCount).toBe(1);
    expect(await codeOf(explainProjectAccess(w.as.alphaMember, { teamSlug: w.alpha.slug }, "alpha-ci"))).toBe(
      "NOT_FOUND",
    );
    expect(await codeOf(explainProjectAccess(w.as.betaAdmin, { teamSlug: w.alpha.slug }, "alpha-ci"))).toBe(
      "FORBIDDEN",
    );
  });
});

describe("the Why? table never names a project the viewer could not open", () => {
  it("shows a team admin only projects they may open, and counts the rest", async () => {
    const { explainProjectAccess } = await import("@/lib/service-accounts");
    const w = await makeOrg();
    const { id: accountId } = await teamAccount(w, "alpha-ci");
    await db.project.createMany({
      data: [
        { teamId: w.alpha.id, name: "home-secret", visibility: "RESTRICTED" },
        { teamId: w.beta.id, name: "beta-open", visibility: "OPEN" },
        { teamId: w.beta.id, name: "beta-public", visibility: "PUBLIC" },
        { teamId: w.beta.id, name: "beta-team", visibility: "TEAM" },
        { teamId: w.beta.id, name: "beta-secret", visibility: "RESTRICTED" },
        { teamId: w.beta.id, name: "beta-shared-secret", visibility: "RESTRICTED" },
      ],
    });
    const project = (name: string) =>
      db.project.findFirstOrThrow({ where: { name, team: { orgId: w.org.id } } });
    // The viewer's own grant opens a restricted project; the account's grant does not reveal one.
    await db.projectAccess.create({
      data: { projectId: (await project("beta-shared-secret")).id, userId: w.people.alphaAdmin.id },
    });
    await db.projectAccess.create({
      data: { projectId: (await project("beta-secret")).id, serviceAccountId: accountId },
    });

    const asTeamAdmin = await explainProjectAccess(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, "alpha-ci");
    const named = asTeamAdmin.rows.map((r) => r.project);
    expect(named).toEqual([
      `${w.alpha.slug}/home-secret`,
      `${w.beta.slug}/beta-open`,
      `${w.beta.slug}/beta-public`,
      `${w.beta.slug}/beta-shared-secret`,
    ]);
    expect(JSON.stringify(asTeamAdmin)).not.toContain("beta-team");
    expect(JSON.stringify(asTeamAdmin)).not.toContain("/beta-secret");
    expect(asTeamAdmin.hiddenCount).toBe(2);

    const asOrgAdmin = await explainProjectAccess(w.as.orgAdmin, { teamSlug: w.alpha.slug }, "alpha-ci");
    expect(asOrgAdmin.rows).toHaveLength(6);
    expect(asOrgAdmin.hiddenCount).toBe(0);
    expect(asOrgAdmin.rows.find((r) => r.project.endsWith("/beta-secret"))).toMatchObject({
      read: false,
      write: false,
    });
  });

  it("shows an org admin every project on an org-scoped account's page", async () => {
    const { explainProjectAccess } = await import("@/lib/service-accounts");
    const w = await makeOrg();
    await createServiceAccountFromForm(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { name: "org-wide", defaultTeam: w.alpha.slug },
    );
    await db.project.createMany({
      data: [
        { teamId: w.alpha.id, name: "alpha-team", visibility: "TEAM" },
        { teamId: w.beta.id, name: "beta-team", visibility: "TEAM" },
        { teamId: w.beta.id, name: "beta-secret", visibility: "RESTRICTED" },
      ],
    });
    const result = await explainProjectAccess(w.as.orgAdmin, { orgSlug: w.org.slug }, "org-wide");
    expect(result.rows.map((r) => r.project.split("/")[1])).toEqual([
      "alpha-team",
      "beta-secret",
      "beta-team",
    ]);
    expect(result.hiddenCount).toBe(0);
    // Only org admins open org-scoped accounts at all: a team admin gets nothing to read.
    expect(await codeOf(explainProjectAccess(w.as.alphaAdmin, { orgSlug: w.org.slug }, "org-wide"))).toBe(
      "FORBIDDEN",
    );
    expect(await codeOf(explainProjectAccess(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, "org-wide"))).toBe(
      "NOT_FOUND",
    );
  });
});

describe("unused for 90 days", () => {
  it("lists old accounts whose keys (as recorded by the last-used batch) were not used in 90 days", async () => {
    const { saveLastUsed } = await import("@/lib/keys/data");
    const w = await makeOrg();
    const day = 86_400_000;
    const old = new Date(Date.now() - 120 * day);
    const make = async (name: string, usedDaysAgo: number | null) => {
      const { id } = await createServiceAccountFromForm(
        w.as.alphaAdmin,
        { teamSlug: w.alpha.slug },
        { name },
      );
      const key = await createApiKeyFromForm(w.as.alphaAdmin, id, { name: "k" });
      await db.serviceAccount.update({ where: { id }, data: { createdAt: old } });
      if (usedDaysAgo !== null) await saveLastUsed([[key.id, new Date(Date.now() - usedDaysAgo * day)]]);
      return id;
    };
    await make("used-recently", 10);
    await make("used-long-ago", 100);
    await make("never-used", null);
    await createServiceAccountFromForm(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, { name: "brand-new" });
    const unused = await listServiceAccounts(w.as.alphaAdmin, { teamSlug: w.alpha.slug }, { unused: true });
    expect(unused.items.map((r) => r.name).sort()).toEqual(["never-used", "used-long-ago"]);
    // An older flush from another instance never moves the time backwards.
    const recent = await db.serviceAccount.findFirstOrThrow({
      where: { name: "used-recently", orgId: w.org.id },
    });
    const recentKey = await db.apiKey.findFirstOrThrow({ where: { serviceAccountId: recent.id } });
    await saveLastUsed([[recentKey.id, new Date(Date.now() - 200 * day)]]);
    expect(
      (await db.serviceAccount.findUniqueOrThrow({ where: { id: recent.id } })).lastUsedAt!.getTime(),
    ).toBe(recent.lastUsedAt!.getTime());
  });
});

// Org policies (SPEC rule 31) and owners (rule 30) over HTTP and through the console's domain
// door: every door refuses with 403 policy_denied naming the policy, changes are audited, and an
// account's owner is a person of its org, shown until they leave ("Owner left").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { getPolicies, updatePolicies } from "@/lib/orgs/policies";
import { getAttentionList } from "@/lib/service-accounts/attention";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

type Org = Awaited<ReturnType<typeof makeOrg>>;
let api: Awaited<ReturnType<typeof startApiServer>>;
let w: Org;
let other: Org;
let admin: string;
let teamAdmin: string;

beforeAll(async () => {
  api = await startApiServer();
  w = await makeOrg();
  other = await makeOrg();
  const account = await createServiceAccountFromForm(
    w.as.orgAdmin,
    { orgSlug: w.org.slug },
    { name: "policy-admin", role: "ADMIN", defaultTeam: w.alpha.slug },
  );
  admin = (await createApiKeyFromForm(w.as.orgAdmin, account.id, { name: "k" })).secret;
  const teamAccount = await createServiceAccountFromForm(
    w.as.orgAdmin,
    { teamSlug: w.alpha.slug },
    { name: "team-policy-admin", role: "ADMIN" },
  );
  teamAdmin = (await createApiKeyFromForm(w.as.orgAdmin, teamAccount.id, { name: "k" })).secret;
});
afterAll(() => api.close());

const setPolicies = (body: Record<string, unknown>) =>
  api.call("/api/v1/org/policies", { key: admin, method: "PATCH", body });

describe("rule 31: org policies, enforced in every door", () => {
  it("reads and changes them, audited, and refuses bad values and other callers", async () => {
    expect((await api.call("/api/v1/org/policies", { key: admin })).body.policies).toEqual({
      apiKeys: "allowed",
      requireOwner: false,
      requireAllowedIpsForOrgScope: false,
    });
    const changed = await setPolicies({ requireAllowedIpsForOrgScope: true });
    expect(changed.body.policies).toMatchObject({ apiKeys: "allowed", requireAllowedIpsForOrgScope: true });
    const audit = await db.auditEvent.findFirst({
      where: { orgId: w.org.id, action: "org.policies_changed" },
    });
    expect(audit?.metadata).toEqual({ changes: { requireAllowedIpsForOrgScope: { from: false, to: true } } });
    expect((await setPolicies({ apiKeys: "sometimes" })).body.error?.message).toMatch(
      /allowed, team_only or disabled/,
    );
    expect((await setPolicies({ requireOwner: "yes" })).status).toBe(400);
    expect((await setPolicies({ surprise: true })).status).toBe(400);
    expect((await api.call("/api/v1/org/policies", { key: teamAdmin })).status).toBe(403);
    await expect(getPolicies(other.as.orgAdmin, w.org.slug)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(updatePolicies(w.as.alphaAdmin, w.org.slug, { apiKeys: "disabled" })).rejects.toBeTruthy();
    await setPolicies({ requireAllowedIpsForOrgScope: false });
  });

  it("apiKeys disabled: no new key anywhere, in the API and the console alike; existing keys keep working", async () => {
    const account = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { teamSlug: w.alpha.slug },
      { name: "keyless" },
    );
    const existing = await createApiKeyFromForm(w.as.orgAdmin, account.id, { name: "before" });
    await setPolicies({ apiKeys: "disabled" });
    const refused = await api.call(`/api/v1/service-accounts/${account.id}/keys`, {
      key: admin,
      body: { name: "x" },
    });
    expect([refused.status, refused.body.error?.code]).toEqual([403, "policy_denied"]);
    expect(refused.body.error?.message).toMatch(/API keys policy is Disabled/);
    await expect(createApiKeyFromForm(w.as.orgAdmin, account.id, { name: "console" })).rejects.toMatchObject({
      reason: "policy_denied",
    });
    const rotate = await api.call(`/api/v1/service-accounts/${account.id}/keys/${existing.id}/rotate`, {
      key: admin,
      body: { graceHours: 0 },
    });
    expect(rotate.body.error?.code).toBe("policy_denied");
    expect((await api.call("/api/v1/viewer", { key: existing.secret })).status).toBe(200);
    expect((await api.call("/api/v1/viewer", { key: admin })).status).toBe(200);
    await setPolicies({ apiKeys: "allowed" });
  });

  it("apiKeys team_only: org-scoped accounts get no keys, team-scoped ones do", async () => {
    await setPolicies({ apiKeys: "team_only" });
    const orgScoped = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { name: "org-wide-job", defaultTeam: w.alpha.slug },
    );
    const teamScoped = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { teamSlug: w.alpha.slug },
      { name: "team-job" },
    );
    const refused = await api.call(`/api/v1/service-accounts/${orgScoped.id}/keys`, {
      key: admin,
      body: { name: "x" },
    });
    expect(refused.body.error?.code).toBe("policy_denied");
    expect(refused.body.error?.message).toMatch(/Team-scoped accounts only/);
    expect(
      (await api.call(`/api/v1/service-accounts/${teamScoped.id}/keys`, { key: admin, body: { name: "x" } }))
        .status,
    ).toBe(201);
    await setPolicies({ apiKeys: "allowed" });
  });

  it("requireAllowedIpsForOrgScope: org-scoped keys must carry ranges, and they cannot be lifted", async () => {
    const orgScoped = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { orgSlug: w.org.slug },
      { name: "ranged-job", defaultTeam: w.alpha.slug },
    );
    await setPolicies({ requireAllowedIpsForOrgScope: true });
    const keys = `/api/v1/service-accounts/${orgScoped.id}/keys`;
    const bare = await api.call(keys, { key: admin, body: { name: "bare" } });
    expect(bare.body.error?.code).toBe("policy_denied");
    expect(bare.body.error?.message).toMatch(/requireAllowedIpsForOrgScope/);
    const ranged = await api.call(keys, {
      key: admin,
      body: { name: "ranged", restrictions: { allowedIps: ["10.0.0.0/8"] } },
    });
    expect(ranged.status).toBe(201);
    const keyId = (ranged.body.key as { id: string }).id;
    const lift = await api.call(`${keys}/${keyId}`, {
      key: admin,
      method: "PATCH",
      body: { restrictions: { allowedIps: null } },
    });
    expect(lift.body.error?.code).toBe("policy_denied");
    await setPolicies({ requireAllowedIpsForOrgScope: false });
  });
});

describe("rule 30: owners and contacts", () => {
  it("defaults the owner to the person who creates the account, takes one by email, and says when they left", async () => {
    const mine = await createServiceAccountFromForm(
      w.as.alphaAdmin,
      { teamSlug: w.alpha.slug },
      { name: "owned-by-default" },
    );
    const got = await api.call(`/api/v1/service-accounts/${mine.id}`, { key: admin });
    expect(got.body.serviceAccount).toMatchObject({
      owner: w.people.alphaAdmin.email,
      ownerLeft: false,
      contact: null,
    });

    const created = await api.call("/api/v1/service-accounts", {
      key: admin,
      body: {
        name: "owned-job",
        scope: "team",
        team: w.alpha.slug,
        owner: w.people.alphaMember.email,
        contact: "#ml-infra",
      },
    });
    expect(created.body.serviceAccount).toMatchObject({
      owner: w.people.alphaMember.email,
      contact: "#ml-infra",
    });
    const id = (created.body.serviceAccount as { id: string }).id;
    // Through the API, no default owner: the calling account is no person.
    const ownerless = await api.call("/api/v1/service-accounts", {
      key: admin,
      body: { name: "ownerless-job", scope: "team", team: w.alpha.slug },
    });
    expect(ownerless.body.serviceAccount).toMatchObject({ owner: null });

    // Someone of another org, or nobody, is refused with words.
    for (const owner of [other.people.orgMember.email, "nobody@example.test"]) {
      const answer = await api.call(`/api/v1/service-accounts/${id}`, {
        key: admin,
        method: "PATCH",
        body: { owner },
      });
      expect([answer.status, answer.body.error?.message]).toEqual([
        400,
        expect.stringMatching(/owner must be a member/),
      ]);
    }
    const patched = await api.call(`/api/v1/service-accounts/${id}`, {
      key: admin,
      method: "PATCH",
      body: { owner: w.people.alphaViewer.email, contact: "" },
    });
    expect(patched.body.serviceAccount).toMatchObject({ owner: w.people.alphaViewer.email, contact: null });
    const audit = await db.auditEvent.findFirst({
      where: { targetId: id, action: "service_account.updated" },
      orderBy: { createdAt: "desc" },
    });
    expect(audit?.metadata).toMatchObject({
      changes: { owner: { to: w.people.alphaViewer.email }, contact: { from: "#ml-infra", to: "" } },
    });

    // The owner leaves the org: the account says so.
    await db.orgMembership.deleteMany({ where: { orgId: w.org.id, userId: w.people.alphaViewer.id } });
    const after = await api.call(`/api/v1/service-accounts/${id}`, { key: admin });
    expect(after.body.serviceAccount).toMatchObject({ owner: w.people.alphaViewer.email, ownerLeft: true });
    // Attention lists it for an org admin of this org only.
    const attention = await getAttentionList(w.as.orgAdmin, w.org.slug);
    expect(attention.ownerLeft).toEqual([expect.objectContaining({ id, owner: w.people.alphaViewer.email })]);
    expect((await getAttentionList(other.as.orgAdmin, other.org.slug)).ownerLeft).toEqual([]);
  });

  it("requireOwner: a new account must name an owner in every door", async () => {
    await setPolicies({ requireOwner: true });
    const refused = await api.call("/api/v1/service-accounts", {
      key: admin,
      body: { name: "needs-owner", scope: "team", team: w.alpha.slug },
    });
    expect([refused.status, refused.body.error?.code]).toEqual([403, "policy_denied"]);
    expect(refused.body.error?.message).toMatch(/requireOwner/);
    const named = await api.call("/api/v1/service-accounts", {
      key: admin,
      body: { name: "has-owner", scope: "team", team: w.alpha.slug, owner: w.people.orgAdmin.email },
    });
    expect(named.status).toBe(201);
    // In the console the creator is the default owner; clearing it is refused.
    expect(
      (
        await createServiceAccountFromForm(
          w.as.orgAdmin,
          { teamSlug: w.alpha.slug },
          { name: "console-owned" },
        )
      ).id,
    ).toBeTruthy();
    await setPolicies({ requireOwner: false });
  });
});

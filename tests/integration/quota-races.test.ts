// Quotas and "already rotated" under concurrency (issue 15, item 6): parallel requests over HTTP
// must never leave more live keys or accounts than the org's quota, nor more than one successor
// of a rotated key, on either engine. A check that counts and then inserts under PostgreSQL's
// READ COMMITTED lets every parallel request see the same count; the owning row's lock orders them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { liveKeyWhere } from "@/lib/keys/state";
import { startApiServer, type ApiAnswer } from "../support/api-server";
import { makeOrg } from "../support/factories";

let api: Awaited<ReturnType<typeof startApiServer>>;
let world: Awaited<ReturnType<typeof makeOrg>>;
let adminKey: string;

beforeAll(async () => {
  api = await startApiServer();
  world = await makeOrg();
  const admin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { orgSlug: world.org.slug },
    { name: "race-admin", role: "ADMIN", defaultTeam: world.alpha.slug },
  );
  adminKey = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "admin" })).secret;
  // Warm the connection pool and the credential cache, so the bursts below really run side by
  // side (cold, the first burst queues behind connection set-up and can hide a race).
  await parallel(10, () => api.call("/api/v1/service-accounts/race-admin", { key: adminKey }));
});
afterAll(() => api.close());

async function withQuota(
  quota: { maxKeysPerAccount?: number; maxServiceAccounts?: number },
  work: () => Promise<void>,
) {
  await db.organization.update({ where: { id: world.org.id }, data: quota });
  try {
    await work();
  } finally {
    await db.organization.update({
      where: { id: world.org.id },
      data: { maxKeysPerAccount: null, maxServiceAccounts: null },
    });
  }
}

/** Sends every request at once and waits for all the answers. */
function parallel(count: number, send: (i: number) => Promise<ApiAnswer>) {
  return Promise.all(Array.from({ length: count }, (_, i) => send(i)));
}

const statuses = (answers: ApiAnswer[]) => answers.map((a) => a.status).sort((a, b) => a - b);

const liveKeys = (serviceAccountId: string) =>
  db.apiKey.count({ where: { serviceAccountId, ...liveKeyWhere(new Date()) } });

describe("quotas and rotation under parallel requests", () => {
  it("10 parallel key creations with a quota of 2: exactly 2 created, 8 refused, 2 live keys", async () => {
    const { id } = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      { name: "race-keys" },
    );
    await withQuota({ maxKeysPerAccount: 2 }, async () => {
      const answers = await parallel(10, (i) =>
        api.call("/api/v1/service-accounts/race-keys/keys", {
          key: adminKey,
          body: { name: `parallel-${i}`, expiresInDays: 30 },
        }),
      );
      expect(statuses(answers)).toEqual([201, 201, 409, 409, 409, 409, 409, 409, 409, 409]);
      for (const refused of answers.filter((a) => a.status === 409)) {
        expect(refused.body.error?.code).toBe("conflict");
        expect(refused.body.error?.message).toMatch(/already has 2 active keys, this organization's quota/);
      }
      expect(await liveKeys(id)).toBe(2);
    });
  });

  it("10 parallel account creations with a quota of 5: live accounts reach 5 and never more", async () => {
    await withQuota({ maxServiceAccounts: 5 }, async () => {
      const existing = await db.serviceAccount.count({ where: { orgId: world.org.id, deletedAt: null } });
      expect(existing).toBeLessThan(5);
      const answers = await parallel(10, (i) =>
        api.call("/api/v1/service-accounts", {
          key: adminKey,
          body: { name: `race-account-${i}`, scope: "TEAM", team: world.alpha.slug },
        }),
      );
      const created = answers.filter((a) => a.status === 201).length;
      expect(created).toBe(5 - existing);
      expect(statuses(answers).filter((s) => s !== 201)).toEqual(Array(10 - created).fill(409));
      for (const refused of answers.filter((a) => a.status === 409)) {
        expect(refused.body.error?.message).toMatch(/reached its quota of 5 service accounts/);
      }
      expect(await db.serviceAccount.count({ where: { orgId: world.org.id, deletedAt: null } })).toBe(5);
    });
  });

  it("5 parallel rotations of one key: one rotation, 4 refused as already rotated, one live successor", async () => {
    const { id } = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      { name: "race-rotate" },
    );
    const key = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "github-actions" });
    const answers = await parallel(5, () =>
      api.call(`/api/v1/service-accounts/race-rotate/keys/${key.id}/rotate`, {
        key: adminKey,
        body: { graceHours: 1 },
      }),
    );
    expect(statuses(answers)).toEqual([201, 409, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.error?.code).toBe("conflict");
      expect(refused.body.error?.message).toMatch(/already rotated; rotate its replacement instead/);
    }
    const keys = await db.apiKey.findMany({
      where: { serviceAccountId: id },
      select: { id: true, replacedById: true },
    });
    expect(keys).toHaveLength(2);
    const successor = (answers.find((a) => a.status === 201)!.body.key as { id: string }).id;
    expect(keys.find((k) => k.id === key.id)?.replacedById).toBe(successor);
    // The old key in its grace period and its one successor.
    expect(await liveKeys(id)).toBe(2);
  });

  it("parallel creations and rotations on one account together stay within the key quota", async () => {
    const { id } = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      { name: "race-mixed" },
    );
    const first = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "first" });
    await withQuota({ maxKeysPerAccount: 3 }, async () => {
      const answers = await parallel(8, (i) =>
        i % 2 === 0
          ? api.call("/api/v1/service-accounts/race-mixed/keys", {
              key: adminKey,
              body: { name: `mixed-${i}`, expiresInDays: 30 },
            })
          : api.call(`/api/v1/service-accounts/race-mixed/keys/${first.id}/rotate`, {
              key: adminKey,
              body: { graceHours: 1 },
            }),
      );
      expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
      expect(await liveKeys(id)).toBeLessThanOrEqual(3);
      const successors = await db.apiKey.count({
        where: { serviceAccountId: id, replacedById: { not: null } },
      });
      expect(successors).toBeLessThanOrEqual(1);
      // Every 201 left exactly one more key: the rows match the answers.
      const created = answers.filter((a) => a.status === 201).length;
      expect(await db.apiKey.count({ where: { serviceAccountId: id } })).toBe(1 + created);
    });
  });
});

describe("seats under parallel adds (rule 11, issue 15 review)", () => {
  it("never lets parallel additions of people exceed the seat limit", async () => {
    const { addOrgMember } = await import("@/lib/orgs/members");
    const seats = await makeOrg({ seatLimit: 9 });
    const before = await db.orgMembership.count({ where: { orgId: seats.org.id } });
    const room = 9 - before;
    const outcomes = await Promise.allSettled(
      Array.from({ length: room + 5 }, (_, i) =>
        addOrgMember(seats.as.orgAdmin, seats.org.slug, {
          email: `seat-${i}-${Date.now()}@example.test`,
          role: "MEMBER",
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(room);
    expect(await db.orgMembership.count({ where: { orgId: seats.org.id } })).toBe(9);
  });
});

// Background work (SPEC rules 29 and 32) on the real database: the notices no request triggers —
// expiring at 30, 7 and 1 days, expired, unused for 90 days, owner left — each sent once, however
// often the jobs run; expired access tokens deleted; and on PostgreSQL one instance at a time.
process.env.DEPUTY_ALLOW_PRIVATE_WEBHOOKS = "1";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { usesPostgres } from "@/lib/db/database-url";
import { Prisma } from "@/lib/generated/prisma/client";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { createWebhook } from "@/lib/webhooks/endpoints";
import { runJobsOnce } from "@/lib/jobs/scheduler";
import { makeOrg } from "../support/factories";

type Org = Awaited<ReturnType<typeof makeOrg>>;
let w: Org;
let endpointId: string;
const DAY = 86_400_000;

beforeAll(async () => {
  w = await makeOrg();
  // Subscribed to the notices only; nothing is sent (no worker runs here): the outbox rows are
  // what the worker would send.
  const { webhook } = await createWebhook(w.as.orgAdmin, w.org.slug, {
    url: "http://127.0.0.1:9/notices",
    events: ["api_key.expiring", "api_key.expired", "service_account.unused", "service_account.owner_left"],
  });
  endpointId = webhook.id;
});

async function notices() {
  const rows = await db.webhookDelivery.findMany({ where: { endpointId }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => {
    const body = JSON.parse(r.payload) as { type: string; data: Record<string, unknown> };
    return { id: r.id, type: body.type, data: body.data };
  });
}

async function keyExpiringIn(ms: number, name: string) {
  const account = await createServiceAccountFromForm(w.as.orgAdmin, { teamSlug: w.alpha.slug }, { name });
  const key = await createApiKeyFromForm(w.as.orgAdmin, account.id, { name: "ci" });
  await db.apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() + ms) } });
  return key.id;
}

describe("rules 29 and 32: notices, once each", () => {
  it("sends each expiry notice once per key and threshold, across runs", async () => {
    const in25 = await keyExpiringIn(25 * DAY, "expires-in-25-days");
    const in5 = await keyExpiringIn(5 * DAY, "expires-in-5-days");
    const in12h = await keyExpiringIn(12 * 3_600_000, "expires-in-12-hours");
    const gone = await keyExpiringIn(-3_600_000, "expired-an-hour-ago");
    const first = await runJobsOnce();
    expect(first.ran).toBe(true);
    await runJobsOnce();
    await runJobsOnce();
    const sent = await notices();
    const expiring = (id: string) =>
      sent.filter((n) => n.type === "api_key.expiring" && (n.data.key as { id: string }).id === id);
    expect(expiring(in25).map((n) => n.data.daysLeft)).toEqual([30]);
    // A key that never had 30 days left gets the notice of the threshold it is past, not both.
    expect(expiring(in5).map((n) => n.data.daysLeft)).toEqual([7]);
    expect(expiring(in12h).map((n) => n.data.daysLeft)).toEqual([1]);
    expect(
      sent.filter((n) => n.type === "api_key.expired" && (n.data.key as { id: string }).id === gone),
    ).toHaveLength(1);
    expect(expiring(in25)[0]!.data).toMatchObject({
      serviceAccount: { name: "expires-in-25-days" },
      key: { name: "ci", masked: expect.stringMatching(/^dpt_…/) as string },
    });
    // No secret, hash or JWT in a notice.
    expect(JSON.stringify(sent)).not.toMatch(/dpt_[0-9A-Za-z]{12}_|secretHash|eyJ/);

    // Twenty days later the 25-day key has 5 days left: the 7-day notice, once.
    const later = new Date(Date.now() + 20 * DAY);
    await runJobsOnce(later);
    await runJobsOnce(later);
    expect(expiring(in25).length).toBe(1);
    expect(
      (await notices())
        .filter((n) => n.type === "api_key.expiring" && (n.data.key as { id: string }).id === in25)
        .map((n) => n.data.daysLeft),
    ).toEqual([30, 7]);
  });

  it("sends unused-for-90-days and owner-left once, and deletes expired access tokens", async () => {
    const idle = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { teamSlug: w.alpha.slug },
      { name: "idle-for-ages" },
    );
    await db.serviceAccount.update({
      where: { id: idle.id },
      data: { createdAt: new Date(Date.now() - 200 * DAY) },
    });
    const owned = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { teamSlug: w.alpha.slug },
      { name: "owner-leaves", owner: w.people.alphaMember.email },
    );
    await db.orgMembership.deleteMany({ where: { orgId: w.org.id, userId: w.people.alphaMember.id } });
    const token = await db.accessToken.create({
      data: {
        tokenId: `jobs${Date.now()}`,
        secretHash: "x",
        serviceAccountId: idle.id,
        issuer: "https://issuer.example",
        subject: "repo:x",
        expiresAt: new Date(Date.now() - 2 * DAY),
      },
    });
    await runJobsOnce();
    await runJobsOnce();
    const sent = await notices();
    const about = (type: string, id: string) =>
      sent.filter((n) => n.type === type && (n.data.serviceAccount as { id: string }).id === id);
    expect(about("service_account.unused", idle.id)).toHaveLength(1);
    expect(about("service_account.owner_left", owned.id)).toHaveLength(1);
    expect(about("service_account.owner_left", owned.id)[0]!.data.owner).toBe(w.people.alphaMember.email);
    expect(await db.accessToken.findUnique({ where: { id: token.id } })).toBeNull();
  });

  it.runIf(usesPostgres())(
    "runs on one instance at a time: while another holds the lock, a round does nothing",
    async () => {
      await db.$transaction(async (tx) => {
        await tx.$executeRaw(Prisma.sql`SELECT pg_advisory_xact_lock(${0x6a6f6273})`);
        expect((await runJobsOnce()).ran).toBe(false);
      });
      expect((await runJobsOnce()).ran).toBe(true);
    },
  );
});

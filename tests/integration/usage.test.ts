// Usage you can see: requests per day counted in the batch that records last use (no write per
// request), equal to the requests made; the key's last client address; the account page's chart.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import {
  createApiKeyFromForm,
  createServiceAccountFromForm,
  getServiceAccountDetail,
} from "@/lib/service-accounts";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

let api: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  api = await startApiServer();
});
afterAll(() => api.close());

describe("key usage", () => {
  it("counts every request, writes once per flush, and shows 30 days on the account page", async () => {
    const world = await makeOrg();
    const { id } = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      { name: "busy-job" },
    );
    const first = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "one" });
    const second = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "two" });
    for (let i = 0; i < 25; i += 1) await api.call("/api/v1/viewer", { key: first.secret });
    for (let i = 0; i < 7; i += 1) await api.call("/api/v1/viewer", { key: second.secret });
    expect(await db.apiKeyUsageDay.count({ where: { serviceAccountId: id } })).toBe(0);
    await api.flush();
    await api.flush();
    for (let i = 0; i < 3; i += 1) await api.call("/api/v1/viewer", { key: first.secret });
    await api.flush();
    const today = new Date().toISOString().slice(0, 10);
    const rows = await db.apiKeyUsageDay.findMany({
      where: { serviceAccountId: id },
      orderBy: { apiKeyId: "asc" },
    });
    expect(rows.map((r) => [r.apiKeyId, r.day, r.requests]).sort()).toEqual(
      [
        [first.id, today, 28],
        [second.id, today, 7],
      ].sort(),
    );
    expect(
      await db.apiKey.findUniqueOrThrow({ where: { id: first.id }, select: { lastUsedIp: true } }),
    ).toEqual({
      lastUsedIp: "127.0.0.1",
    });
    const page = await getServiceAccountDetail(world.as.orgAdmin, { teamSlug: world.alpha.slug }, "busy-job");
    expect(page.usage).toHaveLength(30);
    expect(page.usage.at(-1)).toEqual({ day: today, requests: 35 });
    expect(page.usage.slice(0, -1).every((d) => d.requests === 0)).toBe(true);
    expect(page.keys.find((k) => k.id === first.id)?.lastUsedIp).toBe("127.0.0.1");
  });
});

describe("a flush of many keys", () => {
  it("writes every key's last use and address, each account's latest, and adds the day's counts to what is stored", async () => {
    const { saveLastUsed } = await import("@/lib/keys/data");
    const { LastUsedRecorder } = await import("@/lib/keys/last-used");
    const world = await makeOrg();
    const account = async (name: string) =>
      (await createServiceAccountFromForm(world.as.orgAdmin, { teamSlug: world.alpha.slug }, { name })).id;
    const [a, b] = [await account("many-keys-a"), await account("many-keys-b")];
    // More keys than one statement's rows (200), over two accounts.
    const keys = Array.from({ length: 450 }, (_, i) => ({
      id: `${world.org.id}-k${i}`,
      keyId: crypto.randomUUID().replaceAll("-", "").slice(0, 12),
      secretHash: "unused",
      last4: "abcd",
      serviceAccountId: i < 300 ? a : b,
      name: `k${i}`,
    }));
    await db.apiKey.createMany({ data: keys });
    const day = "2026-11-30";
    const at = (i: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, i % 60, i));
    // Another instance already counted 5 requests of key 0 that day, and key 1 was used later
    // than this batch knows of: its time must not move back.
    await db.apiKeyUsageDay.create({
      data: { apiKeyId: keys[0]!.id, serviceAccountId: a, day, requests: 5 },
    });
    const later = new Date(Date.UTC(2026, 11, 1));
    await db.apiKey.update({
      where: { id: keys[1]!.id },
      data: { lastUsedAt: later, lastUsedIp: "10.9.9.9" },
    });

    const recorder = new LastUsedRecorder();
    keys.forEach((key, i) => {
      for (let n = 0; n <= i % 3; n += 1) {
        recorder.record(key.id, at(i), { accountId: key.serviceAccountId, ip: `10.0.${i % 250}.${n + 1}` });
      }
      recorder.note(key.id, key.serviceAccountId, at(i), "read", "alpha/p");
    });
    // A later batch records key 449 without a source (no address): its stored address stays.
    const unsourced = new LastUsedRecorder();
    unsourced.record(keys[449]!.id, new Date(Date.UTC(2026, 11, 2)));
    expect(await recorder.flush(saveLastUsed)).toBe(450);
    await unsourced.flush(saveLastUsed);

    const stored = new Map(
      (
        await db.apiKey.findMany({
          where: { id: { in: keys.map((k) => k.id) } },
          select: { id: true, lastUsedAt: true, lastUsedIp: true },
        })
      ).map((k) => [k.id, k]),
    );
    keys.forEach((key, i) => {
      const row = stored.get(key.id)!;
      if (i === 1) return expect(row).toMatchObject({ lastUsedAt: later, lastUsedIp: "10.9.9.9" });
      if (i === 449) {
        return expect(row).toMatchObject({
          lastUsedAt: new Date(Date.UTC(2026, 11, 2)),
          lastUsedIp: `10.0.${449 % 250}.${(449 % 3) + 1}`,
        });
      }
      expect(row).toMatchObject({ lastUsedAt: at(i), lastUsedIp: `10.0.${i % 250}.${(i % 3) + 1}` });
    });
    const accounts = await db.serviceAccount.findMany({ where: { id: { in: [a, b] } } });
    // The account's latest use in the batch (key 1's later time was stored on the key alone).
    const latest = Math.max(...keys.slice(0, 300).map((_, i) => at(i).getTime()));
    expect(accounts.find((x) => x.id === a)!.lastUsedAt).toEqual(new Date(latest));
    expect(accounts.find((x) => x.id === b)!.lastUsedAt).toEqual(new Date(Date.UTC(2026, 11, 2)));
    const usage = await db.apiKeyUsageDay.findMany({ where: { serviceAccountId: { in: [a, b] } } });
    expect(usage).toHaveLength(450);
    const requests = new Map(usage.map((u) => [u.apiKeyId, u]));
    keys.forEach((key, i) =>
      expect(requests.get(key.id)).toMatchObject({
        day,
        serviceAccountId: key.serviceAccountId,
        requests: (i % 3) + 1 + (i === 0 ? 5 : 0),
      }),
    );
    expect(
      await db.apiKeyUseFact.count({ where: { apiKeyId: { in: keys.map((k) => k.id) }, kind: "read" } }),
    ).toBe(450);
  });

  it("takes a batch that names a key or an account twice, and keeps the address a use without one does not know", async () => {
    const { saveLastUsed } = await import("@/lib/keys/data");
    const world = await makeOrg();
    const { id: account } = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      { name: "twice-named" },
    );
    const key = await createApiKeyFromForm(world.as.orgAdmin, account, { name: "twice" });
    const other = await createApiKeyFromForm(world.as.orgAdmin, account, { name: "address-kept" });
    await db.apiKey.update({ where: { id: other.id }, data: { lastUsedIp: "10.1.1.1" } });
    const day = "2026-11-30";
    const use = (ip: string | null, requests: number, fact: string) => ({
      accountId: account,
      ip,
      perDay: { [day]: requests },
      facts: new Set([`${day} ${fact}`]),
      exactAddresses: {},
    });
    const early = new Date(Date.UTC(2026, 10, 30, 9));
    const late = new Date(Date.UTC(2026, 10, 30, 17));
    // The later entry first: the order of a batch must not decide which time or address wins.
    await saveLastUsed(
      [
        [key.id, late, use("10.0.0.2", 3, "read alpha/p")],
        [key.id, early, use("10.0.0.1", 4, "write alpha/p")],
        // A use noted without an address (a flush between record and note): the stored one stays.
        [other.id, late, use(null, 1, "read alpha/p")],
      ],
      [
        [account, early],
        [account, early],
      ],
    );
    expect(
      await db.apiKey.findMany({
        where: { id: { in: [key.id, other.id] } },
        select: { id: true, lastUsedAt: true, lastUsedIp: true },
        orderBy: { name: "desc" },
      }),
    ).toEqual([
      { id: key.id, lastUsedAt: late, lastUsedIp: "10.0.0.2" },
      { id: other.id, lastUsedAt: late, lastUsedIp: "10.1.1.1" },
    ]);
    expect(
      await db.apiKeyUsageDay.findUniqueOrThrow({ where: { apiKeyId_day: { apiKeyId: key.id, day } } }),
    ).toMatchObject({ requests: 7 });
    expect(
      (await db.apiKeyUseFact.findMany({ where: { apiKeyId: key.id }, orderBy: { kind: "asc" } })).map(
        (f) => f.kind,
      ),
    ).toEqual(["read", "write"]);
    expect((await db.serviceAccount.findUniqueOrThrow({ where: { id: account } })).lastUsedAt).toEqual(late);
  });
});

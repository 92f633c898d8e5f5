// Usage you can see: requests per day counted in the batch that records last use (no write per
// request), equal to the requests made; the key's last client address; the account page's chart.
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

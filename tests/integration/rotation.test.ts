// Rule 21: rotating a key — a new key shown once, the old one working until the end of the
// grace period and refused as expired from that second on — in the domain, over HTTP and in the CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { clearCredentialCache } from "@/lib/keys/credential-cache";
import { verifyApiKey } from "@/lib/keys/verify";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { listKeys, rotateKey } from "@/lib/keys/lifecycle";
import { startApiServer } from "../support/api-server";
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
    { name: "rotator", role: "ADMIN", defaultTeam: world.alpha.slug },
  );
  adminKey = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "admin" })).secret;
});
afterAll(() => api.close());

async function accountWithKey(name: string, expiresIn: "30" | "90" | "never" = "90") {
  const { id } = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name },
  );
  const key = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "github-actions", expiresIn });
  return { id, key };
}

/** What a key answers at a given moment, with no cached answer in between. */
async function stateAt(token: string, at: number) {
  clearCredentialCache();
  const result = await verifyApiKey(token, new Date(at));
  return result.ok ? "works" : result.code;
}

describe("rotating a key (rule 21)", () => {
  it("keeps the old key working until the last second of each grace period, then refuses it as expired", async () => {
    for (const graceHours of [0, 1, 24, 168]) {
      const { id, key } = await accountWithKey(`rotate-${graceHours}h`);
      const before = Date.now();
      const rotated = await rotateKey(world.as.orgAdmin, id, key.id, { graceHours });
      const end = rotated.previous.expiresAt.getTime();
      expect(end - before).toBeGreaterThanOrEqual(graceHours * 3_600_000);
      expect(end - before).toBeLessThan(graceHours * 3_600_000 + 5_000);
      expect(await stateAt(rotated.key.secret, Date.now())).toBe("works");
      if (graceHours > 0) expect(await stateAt(key.secret, end - 1000)).toBe("works");
      expect(await stateAt(key.secret, end)).toBe("expired_credential");
      expect(await stateAt(key.secret, end + 1000)).toBe("expired_credential");
    }
  });

  it("gives the new key the old one's name and lifetime, and keeps the old key's last use visible", async () => {
    const { id, key } = await accountWithKey("rotate-lifetime", "30");
    const lastUse = new Date(Date.now() - 3_600_000);
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: lastUse } });
    const rotated = await rotateKey(world.as.orgAdmin, id, key.id, { graceHours: 24 });
    expect(rotated.key.name).toBe("github-actions");
    const lifetime = rotated.key.expiresAt!.getTime() - rotated.key.createdAt.getTime();
    expect(Math.abs(lifetime - 30 * 86_400_000)).toBeLessThan(5_000);
    const keys = await listKeys(world.as.orgAdmin, id);
    expect(keys.find((k) => k.id === key.id)).toMatchObject({ lastUsedAt: lastUse, status: "active" });
    expect(keys).toHaveLength(2);
    const events = await db.auditEvent.findMany({
      where: { targetId: id, action: { in: ["api_key.created", "api_key.rotated"] } },
      orderBy: { createdAt: "asc" },
      select: { action: true, metadata: true },
    });
    expect(events.map((e) => e.action)).toEqual(["api_key.created", "api_key.created", "api_key.rotated"]);
    expect(events[2]!.metadata).toMatchObject({
      graceHours: 24,
      stopsWorkingAt: rotated.previous.expiresAt.toISOString(),
    });
    expect(JSON.stringify(events)).not.toContain(rotated.key.secret.slice(17, 49));
  });

  it("counts a key in its grace period toward the quota, and respects the org's maximum lifetime", async () => {
    const { id, key } = await accountWithKey("rotate-quota", "never");
    await createApiKeyFromForm(world.as.orgAdmin, id, { name: "second" });
    await db.organization.update({
      where: { id: world.org.id },
      data: { maxKeysPerAccount: 2, maxKeyLifetimeDays: 30 },
    });
    try {
      await expect(rotateKey(world.as.orgAdmin, id, key.id, { graceHours: 24 })).rejects.toMatchObject({
        code: "LIMIT_REACHED",
        message: expect.stringMatching(/3 active keys during the grace period/) as string,
      });
      const rotated = await rotateKey(world.as.orgAdmin, id, key.id, { graceHours: 0 });
      // A never-expiring key's replacement expires within the org's maximum.
      expect(rotated.key.expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    } finally {
      await db.organization.update({
        where: { id: world.org.id },
        data: { maxKeysPerAccount: null, maxKeyLifetimeDays: null },
      });
    }
  });

  it("refuses to rotate a revoked, expired or already rotated key, and another team's admin", async () => {
    const { id, key } = await accountWithKey("rotate-twice");
    await rotateKey(world.as.orgAdmin, id, key.id, { graceHours: 1 });
    await expect(rotateKey(world.as.orgAdmin, id, key.id, { graceHours: 1 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/already rotated/) as string,
    });
    await expect(rotateKey(world.as.betaAdmin, id, key.id, { graceHours: 1 })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(rotateKey(world.as.orgAdmin, id, key.id, { graceHours: 169 })).rejects.toMatchObject({
      code: "INVALID",
    });
  });

  it("rotates over HTTP and from the CLI's API, answering the new key once and the old one", async () => {
    const { id, key } = await accountWithKey("rotate-api");
    const answer = await api.call(`/api/v1/service-accounts/rotate-api/keys/${key.id}/rotate`, {
      key: adminKey,
      body: { graceHours: 0 },
    });
    expect(answer.status).toBe(201);
    const body = answer.body as {
      key: { secret: string; name: string };
      previous: { id: string; expiresAt: string };
    };
    expect(body.key.secret).toMatch(/^dpt_/);
    expect(body.previous.id).toBe(key.id);
    expect((await api.call("/api/v1/viewer", { key: key.secret })).body.error?.code).toBe(
      "expired_credential",
    );
    expect((await api.call("/api/v1/viewer", { key: body.key.secret })).status).toBe(200);
    const bad = await api.call(`/api/v1/service-accounts/rotate-api/keys/${key.id}/rotate`, {
      key: adminKey,
      body: { graceHours: "24h" },
    });
    expect(bad.status).toBe(400);
    const rotator = await db.auditEvent.findFirstOrThrow({
      where: { action: "api_key.rotated", targetId: id },
      select: { actorType: true, actorIdentity: true },
    });
    expect(rotator.actorIdentity).toBe(`rotator@${world.org.slug}.sa.deputy.local`);
    expect(rotator.actorType).toBe("SERVICE_ACCOUNT");
  });
});

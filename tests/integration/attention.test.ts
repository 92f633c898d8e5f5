// The Org Dashboard's Attention list: keys expiring within 7 days, keys in a rotation grace
// period, unacknowledged leaks, accounts unused for 90 days — and nothing from another org.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { getAttentionList } from "@/lib/service-accounts/attention";
import { acknowledgeLeaks, reportLeakedKeys } from "@/lib/keys/leaks";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { rotateKey } from "@/lib/keys/lifecycle";
import { makeOrg } from "../support/factories";

describe("the Attention list", () => {
  it("lists what needs an admin this week, each with its account", async () => {
    const world = await makeOrg();
    const other = await makeOrg();
    const account = async (org: typeof world, name: string) =>
      (await createServiceAccountFromForm(org.as.orgAdmin, { teamSlug: org.alpha.slug }, { name })).id;
    const expiringId = await account(world, "expiring");
    const expiring = await createApiKeyFromForm(world.as.orgAdmin, expiringId, { name: "soon" });
    await db.apiKey.update({
      where: { id: expiring.id },
      data: { expiresAt: new Date(Date.now() + 3 * 86_400_000) },
    });
    const later = await createApiKeyFromForm(world.as.orgAdmin, expiringId, {
      name: "later",
      expiresIn: "90",
    });
    const rotatingId = await account(world, "rotating");
    const old = await createApiKeyFromForm(world.as.orgAdmin, rotatingId, { name: "old" });
    await rotateKey(world.as.orgAdmin, rotatingId, old.id, { graceHours: 24 });
    const leakedId = await account(world, "leaky");
    const leaked = await createApiKeyFromForm(world.as.orgAdmin, leakedId, { name: "pasted" });
    await reportLeakedKeys({ kind: "principal", principal: world.as.orgAdmin, orgSlug: world.org.slug }, [
      { token: leaked.secret },
    ]);
    const idleId = await account(world, "idle");
    await db.serviceAccount.update({
      where: { id: idleId },
      data: { createdAt: new Date(Date.now() - 120 * 86_400_000) },
    });
    // Another org's expiring key never shows.
    const foreignId = await account(other, "foreign");
    const foreign = await createApiKeyFromForm(other.as.orgAdmin, foreignId, { name: "foreign" });
    await db.apiKey.update({
      where: { id: foreign.id },
      data: { expiresAt: new Date(Date.now() + 86_400_000) },
    });

    const list = await getAttentionList(world.as.orgAdmin, world.org.slug);
    expect(list.expiring.map((k) => `${k.account.name}/${k.keyName}`)).toEqual(["expiring/soon"]);
    expect(list.rotating.map((k) => `${k.account.name}/${k.keyName}`)).toEqual(["rotating/old"]);
    expect(list.leaked.map((k) => `${k.account.name}/${k.keyName}`)).toEqual(["leaky/pasted"]);
    expect(list.unused.map((a) => a.name)).toEqual(["idle"]);
    expect(list.expiring[0]!.account.href).toBe(`/${world.alpha.slug}/service-accounts/expiring`);
    expect(JSON.stringify(list)).not.toContain(later.id);

    await acknowledgeLeaks(world.as.orgAdmin, leakedId);
    expect((await getAttentionList(world.as.orgAdmin, world.org.slug)).leaked).toEqual([]);
    await expect(getAttentionList(world.as.alphaAdmin, world.org.slug)).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

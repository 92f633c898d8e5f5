// SPEC rule 23 on the embedded database: an acknowledged write is never undone by another
// request's failing transaction, even when that transaction awaits real I/O while it is open.
import { setTimeout as sleep } from "node:timers/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createRun } from "@/lib/runs/runs";
import type { ServiceAccountPrincipal } from "@/lib/core/principal";
import { verifyApiKey } from "@/lib/keys/verify";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { makeOrg } from "../support/factories";

const WRITERS = 300;

let world: Awaited<ReturnType<typeof makeOrg>>;
let principal: ServiceAccountPrincipal;

beforeAll(async () => {
  world = await makeOrg();
  const { id } = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name: "integrity-writer" },
  );
  const { secret } = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "integrity" });
  const verified = await verifyApiKey(secret);
  if (!verified.ok) throw new Error(`test key refused: ${verified.code}`);
  principal = { serviceAccount: verified.value.serviceAccount, ip: null, userAgent: null };
});

/** A console-shaped transaction: it writes, awaits real I/O while open, then fails. */
async function failingTransaction(i: number): Promise<void> {
  await db
    .$transaction(async (tx) => {
      await tx.team.create({
        data: { orgId: world.org.id, slug: `doomed-${i}-${Date.now()}`, name: "Doomed" },
      });
      await sleep(2);
      throw new Error("quota reached");
    })
    .catch(() => undefined);
}

describe("rule 23: acknowledged writes survive other requests' failures", () => {
  it(`stores every one of ${WRITERS} acknowledged runs written beside failing transactions that await I/O`, async () => {
    // Failing transactions run back to back for as long as the writers do, so every write has
    // one open beside it.
    let writing = true;
    const failures = (async () => {
      for (let i = 0; writing; i++) await failingTransaction(i);
    })();
    const acknowledged: string[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < WRITERS; i++) {
      writes.push(
        createRun(principal, { project: "integrity", name: `run-${i}` }).then((answer) => {
          acknowledged.push(answer.run.id);
        }),
      );
      if (i % 10 === 9) await sleep(1);
    }
    await Promise.all(writes);
    writing = false;
    await failures;

    expect(acknowledged).toHaveLength(WRITERS);
    const stored = await db.run.count({ where: { id: { in: acknowledged } } });
    expect(stored).toBe(WRITERS);
    // The failed transactions left nothing behind.
    expect(await db.team.count({ where: { slug: { startsWith: "doomed-" } } })).toBe(0);
  });

  it("never lets a read outside a transaction see a row that is later rolled back", async () => {
    const seen: number[] = [];
    const transaction = db
      .$transaction(async (tx) => {
        await tx.team.create({ data: { orgId: world.org.id, slug: "phantom-team", name: "Phantom" } });
        await sleep(20);
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    await sleep(5);
    seen.push(await db.team.count({ where: { slug: "phantom-team" } }));
    await transaction;
    seen.push(await db.team.count({ where: { slug: "phantom-team" } }));
    expect(seen).toEqual([0, 0]);
  });
});

// The audit log's `q` through the search index (issue 20, item 7): SQLite's FTS5 trigram table,
// PostgreSQL's pg_trgm indexes. The index only narrows, so every search answers exactly what the
// full scan answers — checked here for rare and common text, short text, LIKE wildcards and
// quotes, case, other orgs' events, and events added, renamed and deleted after the migration.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ActorType } from "@/lib/generated/prisma/client";
import { auditSearchCandidates } from "@/lib/audit/search";
import { queryAuditEvents } from "@/lib/audit/query";
import { makeOrg } from "../support/factories";

let world: Awaited<ReturnType<typeof makeOrg>>;
let other: Awaited<ReturnType<typeof makeOrg>>;

const event = (orgId: string, actorIdentity: string, targetName: string | null, at: number) => ({
  orgId,
  actorType: ActorType.SERVICE_ACCOUNT,
  actorIdentity,
  action: "run.created",
  targetType: "project",
  targetName,
  createdAt: new Date(Date.UTC(2026, 10, 1) + at * 1000),
});

beforeAll(async () => {
  world = await makeOrg();
  other = await makeOrg();
  const rows = [];
  for (let i = 0; i < 300; i++)
    rows.push(event(world.org.id, "busy-bot@acme.sa.deputy.local", `ml-team/p${i}`, i));
  for (let i = 0; i < 7; i++)
    rows.push(event(world.org.id, "job-4242@acme.sa.deputy.local", "ml-team/models", 400 + i));
  rows.push(event(world.org.id, "person@acme.test", "job-4242@acme.sa.deputy.local", 500));
  rows.push(event(world.org.id, "odd_name%50@acme.test", 'say "hi"', 501));
  rows.push(event(world.org.id, "ÉCOLE@acme.test", null, 502));
  for (let i = 0; i < 5; i++) rows.push(event(other.org.id, "job-4242@acme.sa.deputy.local", "x", 600 + i));
  await db.auditEvent.createMany({ data: rows });
});

/** What the scan finds: the same filter without the index. */
async function scan(orgId: string, q: string) {
  const rows = await db.auditEvent.findMany({
    where: { orgId, OR: [{ actorIdentity: { contains: q } }, { targetName: { contains: q } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

async function search(q: string) {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryAuditEvents(world.as.orgAdmin, world.org.slug, { q, limit: 100, cursor });
    ids.push(...page.events.map((e) => e.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

describe("audit search through the index", () => {
  it("narrows a rare text to its events, and answers exactly what the scan answers", async () => {
    const candidates = await auditSearchCandidates(world.org.id, "job-4242@");
    // 7 as the actor, 1 as the target; not the other org's 5.
    expect(candidates).toHaveLength(8);
    const found = await search("job-4242@");
    expect(found).toHaveLength(8);
    expect(found).toEqual(await scan(world.org.id, "job-4242@"));
  });

  it("agrees with the scan for every kind of text", async () => {
    for (const q of [
      "busy-bot",
      "ml-team/p1",
      "acme",
      "jo",
      "4",
      "odd_name%50",
      "_name",
      "%5",
      '"hi"',
      "école",
      "ÉCOLE",
      "JOB-4242",
      "nothing-like-this",
    ]) {
      expect([q, await search(q)]).toEqual([q, await scan(world.org.id, q)]);
    }
  });

  it("leaves short and common text to the scan", async () => {
    expect(await auditSearchCandidates(world.org.id, "jo")).toBeNull();
    expect(await auditSearchCandidates(world.org.id, "busy-bot", 100)).toBeNull();
    expect(await auditSearchCandidates(world.org.id, "nothing-like-this")).toEqual([]);
  });

  it("keeps the index in step with events added, renamed and deleted", async () => {
    const added = await db.auditEvent.create({
      data: event(world.org.id, "late-comer@acme.test", "first-name", 700),
    });
    expect(await auditSearchCandidates(world.org.id, "late-comer")).toEqual([added.id]);
    await db.auditEvent.update({ where: { id: added.id }, data: { targetName: "second-name" } });
    expect(await auditSearchCandidates(world.org.id, "first-name")).toEqual([]);
    expect(await auditSearchCandidates(world.org.id, "second-name")).toEqual([added.id]);
    await db.auditEvent.delete({ where: { id: added.id } });
    expect(await auditSearchCandidates(world.org.id, "late-comer")).toEqual([]);
    expect(await search("late-comer")).toEqual([]);
  });
});

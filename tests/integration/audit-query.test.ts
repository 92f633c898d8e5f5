// The audit log's one query (tab, export, API, CLI) against a seeded 100,000-event org: the right
// events in the right order, no duplicates or gaps across pages, exports equal to the filtered
// set, and nothing from another org.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { allAuditEvents, queryAuditEvents, type TAuditQuery } from "@/lib/audit/query";
import { csvLine } from "@/lib/audit/export";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

const EVENTS = 100_000;
const ACTIONS = [
  "api_key.created",
  "api_key.revoked",
  "service_account.updated",
  "project.created",
  "team.renamed",
];
const TYPES = ["USER", "SERVICE_ACCOUNT", "SYSTEM"] as const;
const START = Date.parse("2026-01-01T00:00:00Z");

let world: Awaited<ReturnType<typeof makeOrg>>;
let api: Awaited<ReturnType<typeof startApiServer>>;

/** Event i: a deterministic actor type, action and time (several events share a millisecond). */
const eventOf = (orgId: string, i: number) => ({
  id: `ev-${orgId.slice(-6)}-${String(i).padStart(6, "0")}`,
  orgId,
  createdAt: new Date(START + Math.floor(i / 3) * 60_000),
  actorType: TYPES[i % 3]!,
  actorId: `actor-${i % 7}`,
  actorIdentity:
    TYPES[i % 3] === "SERVICE_ACCOUNT" ? `job-${i % 7}@org.sa.deputy.local` : `person-${i % 7}@example.test`,
  action: ACTIONS[i % ACTIONS.length]!,
  targetType: "service_account",
  targetId: `target-${i % 11}`,
  targetName: `target-${i % 11}`,
  metadata: { i },
});

beforeAll(async () => {
  world = await makeOrg();
  const other = await makeOrg();
  for (let start = 0; start < EVENTS; start += 5000) {
    await db.auditEvent.createMany({
      data: Array.from({ length: Math.min(5000, EVENTS - start) }, (_, k) =>
        eventOf(world.org.id, start + k),
      ),
    });
  }
  await db.auditEvent.createMany({ data: Array.from({ length: 500 }, (_, i) => eventOf(other.org.id, i)) });
  api = await startApiServer();
}, 240_000);
afterAll(() => api.close());

/** Every page of a query, with the ids in order. */
async function pageThrough(query: TAuditQuery) {
  const ids: string[] = [];
  const times: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await queryAuditEvents(world.as.orgAdmin, world.org.slug, { ...query, cursor });
    for (const e of page.events) {
      ids.push(e.id);
      times.push(e.createdAt.getTime());
    }
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor);
  return { ids, times, pages };
}

describe("the audit query at 100,000 events", () => {
  it("pages through every matching event newest first, without duplicates or gaps", async () => {
    const started = performance.now();
    const { ids, times, pages } = await pageThrough({ actorType: "service_account", limit: 1000 });
    const expected = Array.from({ length: EVENTS }, (_, i) => i)
      .filter((i) => TYPES[i % 3] === "SERVICE_ACCOUNT")
      .map((i) => eventOf(world.org.id, i))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(pages).toBe(Math.ceil(expected.length / 1000));
    console.log(
      `Audit: ${ids.length} service-account events in ${pages} pages, ${Math.round(performance.now() - started)} ms`,
    );
  }, 120_000);

  it("combines action, time window, actor and target filters", async () => {
    const from = new Date(START + 1000 * 60_000).toISOString();
    const to = new Date(START + 2000 * 60_000).toISOString();
    const { ids } = await pageThrough({ action: "api_key.revoked", from, to, limit: 100 });
    const expected = Array.from({ length: EVENTS }, (_, i) => eventOf(world.org.id, i)).filter(
      (e) => e.action === "api_key.revoked" && e.createdAt >= new Date(from) && e.createdAt < new Date(to),
    );
    expect(new Set(ids)).toEqual(new Set(expected.map((e) => e.id)));
    const byActor = await queryAuditEvents(world.as.orgAdmin, world.org.slug, {
      actor: "job-3@org.sa.deputy.local",
      limit: 5,
    });
    expect(byActor.events.every((e) => e.actorIdentity === "job-3@org.sa.deputy.local")).toBe(true);
    const byTarget = await queryAuditEvents(world.as.orgAdmin, world.org.slug, {
      target: "target-4",
      q: "person-",
      limit: 5,
    });
    expect(
      byTarget.events.every((e) => e.targetName === "target-4" && e.actorIdentity.startsWith("person-")),
    ).toBe(true);
  });

  it("exports exactly the filtered set, page by page, with spreadsheet-safe CSV", async () => {
    const query: TAuditQuery = { actorType: "system", action: "team.renamed" };
    const exported: string[] = [];
    for await (const e of allAuditEvents(world.as.orgAdmin, world.org.slug, query)) exported.push(e.id);
    const { ids } = await pageThrough({ ...query, limit: 100 });
    expect(exported).toEqual(ids);
    expect(exported.length).toBe(
      Array.from({ length: EVENTS }, (_, i) => i).filter((i) => i % 3 === 2 && i % ACTIONS.length === 4)
        .length,
    );
    const row = eventOf(world.org.id, 1);
    const line = csvLine({
      ...row,
      actorIdentity: '=HYPERLINK("http://evil")',
      targetName: "a,b",
      ip: null,
      userAgent: "ua",
      metadata: { note: 'say "hi"' },
    });
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(line).toContain('"a,b"');
    expect(line.endsWith("\r\n")).toBe(true);
  });

  it("refuses tampered cursors and bad filters, and people who are not org admins", async () => {
    const forged = Buffer.from("not-a-time|ev-1").toString("base64url");
    for (const query of [
      { cursor: "nonsense" },
      { cursor: forged },
      { from: "yesterday" },
      { actorType: "robot" },
      { limit: 0 },
    ]) {
      await expect(
        queryAuditEvents(world.as.orgAdmin, world.org.slug, query as TAuditQuery),
      ).rejects.toMatchObject({
        code: "INVALID",
      });
    }
    await expect(queryAuditEvents(world.as.alphaAdmin, world.org.slug, {})).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });
});

describe("GET /api/v1/audit-events", () => {
  it("answers org-scoped ADMIN accounts with their own org's events only", async () => {
    const admin = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { orgSlug: world.org.slug },
      { name: "siem-puller", role: "ADMIN", defaultTeam: world.alpha.slug },
    );
    const key = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "siem" })).secret;
    const answer = await api.call("/api/v1/audit-events?actorType=service_account&limit=100", { key });
    expect(answer.status).toBe(200);
    const events = answer.body.events as { actor: { type: string }; id: string }[];
    expect(events).toHaveLength(100);
    expect(
      events.every((e) => e.actor.type === "service_account" && e.id.includes(world.org.id.slice(-6))),
    ).toBe(true);
    const next = await api.call(
      `/api/v1/audit-events?actorType=service_account&limit=100&cursor=${String(answer.body.nextCursor)}`,
      { key },
    );
    expect((next.body.events as { id: string }[])[0]!.id).not.toBe(events.at(-1)!.id);
    expect(answer.text).not.toMatch(/dpt_[A-Za-z0-9]{12}_/);
    expect((await api.call("/api/v1/audit-events?cursor=AAAA", { key })).status).toBe(400);
    expect((await api.call("/api/v1/audit-events?sort=asc", { key })).status).toBe(400);

    const team = await createServiceAccountFromForm(
      world.as.orgAdmin,
      { teamSlug: world.alpha.slug },
      { name: "team-siem", role: "ADMIN" },
    );
    const teamKey = (await createApiKeyFromForm(world.as.orgAdmin, team.id, { name: "x" })).secret;
    expect((await api.call("/api/v1/audit-events", { key: teamKey })).status).toBe(403);
  });
});

// GET /org/[org]/audit-log/export, the route itself against a real database: refusals are
// statuses before the first byte, a complete export holds every event with spreadsheet-safe
// cells, and a page that fails after the first one makes the download fail instead of ending as a
// short file. (lib/audit/export.test.ts checks the same cut-off over HTTP, through Next's piping.)
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { PersonPrincipal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { db } from "@/lib/db";
import { logger } from "@/lib/ops/log";

let currentCaller: PersonPrincipal | null = null;

vi.mock("@/lib/auth/session", () => ({
  requireActionCaller: async () => {
    if (!currentCaller) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
    return currentCaller;
  },
}));

const { GET } = await import("@/app/org/[org]/audit-log/export/route");
const { makeOrg } = await import("../support/factories");
const { CSV_HEADER } = await import("@/lib/audit/export");

const EVENTS = 2_500; // three pages of 1,000
let world: Awaited<ReturnType<typeof makeOrg>>;
let other: Awaited<ReturnType<typeof makeOrg>>;

const exportOf = (org: string, search = "format=csv") =>
  GET(new Request(`http://deputy.test/org/${org}/audit-log/export?${search}`), {
    params: Promise.resolve({ org }),
  });

beforeAll(async () => {
  world = await makeOrg();
  other = await makeOrg();
  const start = Date.parse("2026-01-01T00:00:00Z");
  await db.auditEvent.createMany({
    data: Array.from({ length: EVENTS }, (_, i) => ({
      id: `ev-export-${String(i).padStart(5, "0")}`,
      orgId: world.org.id,
      createdAt: new Date(start + i * 1000),
      actorType: "USER" as const,
      actorId: "actor-1",
      actorIdentity: i === EVENTS - 1 ? " =1+1" : `person-${i}@example.test`,
      action: "team.renamed",
      targetType: "team",
      targetId: "team-1",
      targetName: i === EVENTS - 1 ? "\t=cmd" : "Alpha",
      metadata: { i },
    })),
  });
});

afterEach(() => {
  currentCaller = null;
  vi.restoreAllMocks();
});

describe("GET /org/[org]/audit-log/export", () => {
  it("answers refusals and bad requests with a status before any byte of the file", async () => {
    expect((await exportOf(world.org.slug)).status).toBe(401);
    currentCaller = world.as.orgAdmin;
    expect((await exportOf(world.org.slug, "format=xml")).status).toBe(400);
    expect((await exportOf(world.org.slug, "format=csv&from=yesterday")).status).toBe(400);
    expect((await exportOf(other.org.slug)).status).toBe(403);
    currentCaller = world.as.alphaAdmin;
    const refused = await exportOf(world.org.slug, "format=jsonl");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-disposition")).toBeNull();
  });

  it("exports every event, newest first, with cells that cannot run as formulas", async () => {
    currentCaller = world.as.orgAdmin;
    const response = await exportOf(world.org.slug);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const text = await response.text();
    expect(text.startsWith(CSV_HEADER)).toBe(true);
    const lines = text.slice(CSV_HEADER.length).split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBe(EVENTS);
    expect(lines[0]).toContain(",' =1+1,team.renamed,team,'\t=cmd,");
  });

  it("makes the download fail, not end short, when page 2 fails", async () => {
    currentCaller = world.as.orgAdmin;
    const log = vi.spyOn(logger(), "error").mockImplementation(() => {});
    const findMany = db.auditEvent.findMany.bind(db.auditEvent);
    let calls = 0;
    vi.spyOn(db.auditEvent, "findMany").mockImplementation(((args: Parameters<typeof findMany>[0]) => {
      calls += 1;
      if (calls === 2) return Promise.reject(new Error("the database went away"));
      return findMany(args);
    }) as typeof db.auditEvent.findMany);

    const response = await exportOf(world.org.slug);
    expect(response.status).toBe(200); // page 1 was read before the first byte
    const reader = response.body!.getReader();
    let received = 0;
    const readAll = async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "closed cleanly";
        received += value.length;
      }
    };
    await expect(readAll()).rejects.toThrow(`Audit export ${world.org.slug} cut off after 1000 events.`);
    expect(received).toBeGreaterThan(CSV_HEADER.length);
    expect(calls).toBe(2);
    expect(log).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(log.mock.calls[0]?.[0])).toContain("the database went away");
  });
});

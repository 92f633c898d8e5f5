// Rule 33 on PostgreSQL: two instances on one database share the failure rate limit, so a client
// that spreads its guesses over both is paused after the limit (plus the documented slack of one
// sync), not after twice it. On SQLite there is one process: nothing to share.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usesPostgres } from "@/lib/db/database-url";
import { startApiServer } from "../support/api-server";

const LIMIT = 10;
let a: Awaited<ReturnType<typeof startApiServer>>;
let b: Awaited<ReturnType<typeof startApiServer>>;

beforeAll(async () => {
  a = await startApiServer({ failLimit: LIMIT, failureSyncMs: 50 });
  b = await startApiServer({ failLimit: LIMIT, failureSyncMs: 50 });
});
afterAll(async () => {
  await a.close();
  await b.close();
});

const bad = "dpt_000000000000_0000000000000000000000000000000000000000";

describe.runIf(usesPostgres())("rule 33: failure limits shared between instances", () => {
  it("pauses an address whose failures are spread over two instances at the limit, not twice it", async () => {
    for (let i = 0; i < LIMIT / 2 + 1; i++) {
      expect((await a.call("/api/v1/viewer", { key: bad })).status).toBe(401);
      expect((await b.call("/api/v1/viewer", { key: bad })).status).toBe(401);
    }
    // 12 failures in all, 6 on each: each instance alone would still allow 4 more. Once the
    // counts are shared (a sync, 50 ms here), both refuse.
    const until = Date.now() + 5000;
    let answers: number[] = [];
    do {
      await new Promise((r) => setTimeout(r, 60));
      answers = [
        (await a.call("/api/v1/viewer", { key: bad })).status,
        (await b.call("/api/v1/viewer", { key: bad })).status,
      ];
    } while (answers.some((s) => s !== 429) && Date.now() < until);
    expect(answers).toEqual([429, 429]);
    const paused = await a.call("/api/v1/viewer", { key: bad });
    expect(Number(paused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

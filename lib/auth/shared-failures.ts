// Rule 33: failure rate limits that several instances on one PostgreSQL database share. Each
// instance keeps counting in memory (no database write per refused request: a flood costs one
// batched statement a second) and, once a second, adds what it counted to a per-address,
// per-minute row and reads back the addresses whose total is high. A request is refused when the
// other instances' count this minute plus this instance's own reaches the limit.
//
// The slack: what other instances counted since their last batch (at most one second of their
// failures) is not seen yet, so the cluster allows at most limit + (N − 1) × (failures per
// instance per second) in a minute. On SQLite there is one process and nothing is shared.
import { db } from "@/lib/db";
import { usesPostgres } from "@/lib/db/database-url";
import { Prisma } from "@/lib/generated/prisma/client";
import { FailureRateLimiter } from "./rate-limiter";

const MINUTE_MS = 60_000;
const MAX_TRACKED = 50_000;

export class SharedFailureLedger {
  /** This instance's failures not yet added: "key minute" → count. */
  private pending = new Map<string, number>();
  /** What this instance added per "key minute" (to tell its own share from the others'). */
  private mine = new Map<string, number>();
  /** The other instances' count this minute, per key, as of the last sync. */
  private others = new Map<string, number>();
  private othersMinute = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly scope: string,
    private readonly limit: number,
    private readonly syncMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shares only on PostgreSQL; on SQLite it stays idle. */
  start(): this {
    if (!usesPostgres() || this.timer) return this;
    this.timer = setInterval(() => void this.sync().catch(() => undefined), this.syncMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private minute(): number {
    return Math.floor(this.now() / MINUTE_MS);
  }

  record(key: string): void {
    if (!this.timer) return;
    const id = `${key} ${this.minute()}`;
    if (this.pending.size < MAX_TRACKED || this.pending.has(id))
      this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
  }

  /** Takes back a failure not yet shared (an attempt counted up front that succeeded). */
  forgive(key: string): void {
    const id = `${key} ${this.minute()}`;
    const count = this.pending.get(id);
    if (count === undefined) return;
    if (count <= 1) this.pending.delete(id);
    else this.pending.set(id, count - 1);
  }

  /** The other instances' failures of `key` this minute (0 until a sync has seen some). */
  othersCount(key: string): number {
    if (this.othersMinute !== this.minute()) return 0;
    return this.others.get(key) ?? 0;
  }

  /** Milliseconds until the current minute ends (when the shared count starts again). */
  msToNextMinute(): number {
    return (this.minute() + 1) * MINUTE_MS - this.now();
  }

  /** Adds this instance's batch and learns the others' high counts. */
  async sync(): Promise<void> {
    const minute = this.minute();
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size > 0) {
      const rows = [...batch].map(([id, count]) => {
        const at = id.lastIndexOf(" ");
        return Prisma.sql`(${this.scope}, ${id.slice(0, at)}, ${Number(id.slice(at + 1))}, ${count})`;
      });
      await db.$executeRaw`INSERT INTO "AuthFailureCount" ("scope", "key", "minute", "count") VALUES ${Prisma.join(rows)} ON CONFLICT ("scope", "key", "minute") DO UPDATE SET "count" = "AuthFailureCount"."count" + EXCLUDED."count"`;
      for (const [id, count] of batch) this.mine.set(id, (this.mine.get(id) ?? 0) + count);
    }
    // Addresses near the limit this minute, whoever counted them.
    const hot = await db.$queryRaw<{ key: string; count: number }[]>(
      Prisma.sql`SELECT "key", "count" FROM "AuthFailureCount" WHERE "scope" = ${this.scope} AND "minute" = ${minute} AND "count" >= ${Math.max(1, Math.floor(this.limit / 4))} LIMIT 10000`,
    );
    const others = new Map<string, number>();
    for (const row of hot) {
      const own = this.mine.get(`${row.key} ${minute}`) ?? 0;
      others.set(row.key, Math.max(0, Number(row.count) - own));
    }
    this.others = others;
    this.othersMinute = minute;
    // Forget what this instance added in past minutes.
    for (const id of this.mine.keys()) if (!id.endsWith(` ${minute}`)) this.mine.delete(id);
  }
}

/**
 * This instance's limiter (the window of rule 13, in memory) and, on PostgreSQL, the other
 * instances' counts: refused when either says so.
 */
export class ClusterFailureLimiter {
  private readonly local: FailureRateLimiter;
  private readonly ledger: SharedFailureLedger;

  constructor(
    scope: string,
    private readonly limit: number,
    windowMs: number,
    options: { syncMs?: number } = {},
  ) {
    this.local = new FailureRateLimiter(limit, windowMs);
    this.ledger = new SharedFailureLedger(scope, limit, options.syncMs).start();
  }

  retryAfterMs(key: string): number {
    const local = this.local.retryAfterMs(key);
    if (local > 0) return local;
    const others = this.ledger.othersCount(key);
    if (others > 0 && others + this.local.countOf(key) >= this.limit) return this.ledger.msToNextMinute();
    return 0;
  }

  recordFailure(key: string): number {
    this.ledger.record(key);
    return this.local.recordFailure(key);
  }

  forgive(key: string): void {
    this.local.forgive(key);
    this.ledger.forgive(key);
  }

  /** For tests: add this instance's batch and learn the others' now. */
  sync(): Promise<void> {
    return this.ledger.sync();
  }

  stop(): void {
    this.ledger.stop();
  }
}

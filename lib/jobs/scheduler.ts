// Background work (SPEC rule 32): every DEPUTY_JOBS_INTERVAL seconds, on exactly one instance at
// a time — the notices of rule 29 and the deletion of what is kept no longer (expired access
// tokens a day after expiry; people's sessions a day after they expired; per-key usage days and
// right-sizing facts after RETENTION_DAYS).
// On PostgreSQL a transaction-scoped advisory lock decides which instance runs: the one that
// gets it does the work inside that transaction, the others skip this round; an instance that
// dies mid-run releases the lock with its connection, so another takes over at its next tick,
// within one interval. On SQLite there is one process (its API thread runs the scheduler), and
// the transaction's write lock orders it with everything else. Webhook retries are the outbox
// worker's, which every instance runs with leased claims (lib/webhooks/worker.ts).
import { db, type Tx } from "@/lib/db";
import { usesPostgres } from "@/lib/db/database-url";
import { Prisma } from "@/lib/generated/prisma/client";
import { sendDueNotices } from "./notices";
import { countResult } from "@/lib/ops/metrics";
import { mailKeyNotices, type KeyNotice } from "@/lib/mail/key-notices";
import { logError } from "@/lib/ops/log";

/** A constant lock key of our own ("deputy-jobs" as a number). */
const JOBS_LOCK = 0x6a6f6273;
export const RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;

export type JobsRun = { ran: boolean; notices: number; deletedTokens: number; deletedUsageDays: number };

async function deleteExpired(tx: Tx, now: Date) {
  const tokens = await tx.accessToken.deleteMany({
    where: { expiresAt: { lt: new Date(now.getTime() - DAY_MS) } },
  });
  // An ended session expires at its usual time; until then the account page need not list it.
  await tx.userSession.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - DAY_MS) } } });
  const cutoff = new Date(now.getTime() - RETENTION_DAYS * DAY_MS).toISOString().slice(0, 10);
  const usage = await tx.apiKeyUsageDay.deleteMany({ where: { day: { lt: cutoff } } });
  await tx.apiKeyUseFact.deleteMany({ where: { day: { lt: cutoff } } });
  await tx.authFailureCount.deleteMany({
    where: { minute: { lt: Math.floor(now.getTime() / 60_000) - 10 } },
  });
  return { deletedTokens: tokens.count, deletedUsageDays: usage.count };
}

/** One round: the jobs if this instance holds the lock, nothing otherwise. */
export async function runJobsOnce(now = new Date()): Promise<JobsRun> {
  let mail: KeyNotice[] = [];
  const run = await db.$transaction(
    async (tx) => {
      if (usesPostgres()) {
        const [row] = await tx.$queryRaw<{ locked: boolean }[]>(
          Prisma.sql`SELECT pg_try_advisory_xact_lock(${JOBS_LOCK}) AS locked`,
        );
        if (!row?.locked) return { ran: false, notices: 0, deletedTokens: 0, deletedUsageDays: 0 };
      }
      const notices = await sendDueNotices(tx, now);
      mail = notices.mail;
      return { ran: true, notices: notices.sent, ...(await deleteExpired(tx, now)) };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  // After the commit: a notice is mailed at most once (rule 30).
  await mailKeyNotices(mail);
  return run;
}

/** Runs the jobs every `intervalMs` until stopped; a failed round is logged and retried next time. */
export class JobScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly intervalMs: number) {}

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (this.running) return;
      this.running = runJobsOnce()
        .then((run) => countResult("jobs", run.ran ? "ran" : "skipped"))
        .catch((error: unknown) => {
          countResult("jobs", "failed");
          logError("Background jobs failed; will retry", error);
        })
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
    // A first round soon after start, so a restart does not wait a whole interval.
    setTimeout(tick, Math.min(this.intervalMs, 2000)).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}

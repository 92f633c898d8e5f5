// Sends the outbox (rule 28): claims due deliveries with a lease (so that on PostgreSQL several
// instances never send one delivery at once, and a dead instance's claims lapse), makes one
// attempt each, keeps every attempt in the delivery log, and schedules the next try — about 5 s,
// 5 min, 30 min, 2 h, 5 h and 10 h after a failure, with ±10 % jitter — until it is delivered or
// out of tries. An endpoint whose attempts have all failed for 24 h is disabled (audited) and
// shown in Attention. Delivery is at least once: a crash after sending and before recording
// sends again, with the same webhook-id.
import { countResult } from "@/lib/ops/metrics";
import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { config } from "@/lib/config/env";
import { unseal } from "@/lib/security/sealed";
import { sendAttempt, type AttemptResult } from "./send";
import { webhookHeaders } from "./signing";
import { logError } from "@/lib/ops/log";

export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000];
export const DISABLE_AFTER_FAILING_MS = 24 * 3_600_000;
export const SECRET_PURPOSE = "webhook-signing-secret";

export type WebhookWorkerOptions = {
  /** How often due deliveries are looked for when nothing wakes the worker. */
  pollMs?: number;
  retryDelaysMs?: number[];
  /** How long a claim holds: longer than one attempt's timeout. */
  leaseMs?: number;
  concurrency?: number;
  allowPrivate?: boolean;
  timeoutMs?: number;
  disableAfterFailingMs?: number;
};

type ClaimedDelivery = {
  id: string;
  payload: string;
  attempts: number;
  endpoint: { id: string; orgId: string; url: string; sealedSecret: string; failingSince: Date | null };
};

/** A pending delivery that is due at `now` and that no worker holds. */
function claimable(now: Date) {
  return {
    status: "pending",
    nextAttemptAt: { lte: now },
    OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
  };
}

function jittered(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = true;
  private channel: BroadcastChannel | null = null;
  private readonly options: Required<WebhookWorkerOptions>;

  constructor(options: WebhookWorkerOptions = {}) {
    this.options = {
      pollMs: options.pollMs ?? 1000,
      retryDelaysMs: options.retryDelaysMs ?? RETRY_DELAYS_MS,
      leaseMs: options.leaseMs ?? 15_000,
      concurrency: options.concurrency ?? 8,
      allowPrivate: options.allowPrivate ?? config().allowPrivateWebhooks,
      timeoutMs: options.timeoutMs ?? 10_000,
      disableAfterFailingMs: options.disableAfterFailingMs ?? DISABLE_AFTER_FAILING_MS,
    };
  }

  /** Starts polling; a write to the outbox in any thread of this process wakes it at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.channel = new BroadcastChannel("deputy-outbox");
    (this.channel as unknown as { unref?: () => void }).unref?.();
    // The writer posts before its transaction commits: look a moment later, and again on the poll.
    this.channel.onmessage = () => setTimeout(() => this.kick(), 20).unref();
    this.schedule();
  }

  /** Stops polling and waits for the attempts in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.channel?.close();
    this.channel = null;
    await this.running?.catch(() => 0);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.kick(), this.options.pollMs);
    this.timer.unref();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.runOnce()
      .catch((error: unknown) => {
        logError("Webhook deliveries failed; will retry", error);
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.schedule();
        }
      });
  }

  /** Claims and sends every delivery due now; answers how many attempts were made. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.claim();
      if (claimed.length === 0) return total;
      total += claimed.length;
      const results = await Promise.all(claimed.map((delivery) => this.send(delivery)));
      await this.recordWithRetries(claimed, results);
      if (this.stopped) return total;
    }
  }

  /**
   * Claims up to `concurrency` due deliveries with one conditional update: the claim is the lease,
   * and the write path pays for one statement per batch, not per delivery (on SQLite every write
   * waits for the same lock). A delivery another worker claimed first is left to it.
   */
  private async claim(): Promise<ClaimedDelivery[]> {
    const now = new Date();
    const due = await db.webhookDelivery.findMany({
      where: { ...claimable(now), endpoint: { status: "active" } },
      orderBy: { nextAttemptAt: "asc" },
      take: this.options.concurrency,
      select: {
        id: true,
        payload: true,
        attempts: true,
        endpoint: { select: { id: true, orgId: true, url: true, sealedSecret: true, failingSince: true } },
      },
    });
    if (due.length === 0) return [];
    const lease = new Date(now.getTime() + this.options.leaseMs);
    // The rows this statement updated are exactly ours: a row another worker claimed between the
    // read and this update no longer matches (PostgreSQL re-checks it after that worker commits).
    const mine = new Set(
      (
        await db.webhookDelivery.updateManyAndReturn({
          where: { id: { in: due.map((d) => d.id) }, ...claimable(now) },
          data: { lockedUntil: lease },
          select: { id: true },
        })
      ).map((d) => d.id),
    );
    return due.filter((d) => mine.has(d.id));
  }

  /** One attempt; never throws (an unreadable secret is a failed attempt with its reason). */
  private async send(delivery: ClaimedDelivery): Promise<AttemptResult> {
    let result: AttemptResult;
    try {
      const secret = unseal(SECRET_PURPOSE, delivery.endpoint.sealedSecret);
      result = await sendAttempt(
        delivery.endpoint.url,
        webhookHeaders(secret, delivery.id, delivery.payload),
        delivery.payload,
        {
          allowPrivate: this.options.allowPrivate,
          timeoutMs: this.options.timeoutMs,
        },
      );
    } catch {
      result = {
        ok: false,
        status: null,
        body: null,
        durationMs: 0,
        error:
          "The signing secret cannot be read (AUTH_SECRET changed?): delete this endpoint and add it again.",
      };
    }
    countResult("deliveries", result.ok ? "delivered" : "failed");
    return result;
  }

  /**
   * Records a batch, again when the transaction lost a race: a delivery deleted with its endpoint
   * between the transaction's read and its writes (the read leaves it out the next time), a
   * write conflict or deadlock (P2034), or a transaction that waited too long for the database
   * (P2028). Attempts that cannot be recorded are sent again once their lease lapses.
   */
  private async recordWithRetries(claimed: ClaimedDelivery[], results: AttemptResult[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.recordAll(claimed, results);
      } catch (error) {
        const code = (error as { code?: string }).code;
        const retryable = code === "P2003" || code === "P2025" || code === "P2034" || code === "P2028";
        if (!retryable || attempt >= 3) throw error;
      }
    }
  }

  /**
   * Records a batch's attempts in one transaction: every attempt in the delivery log, the
   * delivered ones marked in one statement per response status, each failure rescheduled, and
   * the endpoints' failing state. A delivery deleted with its endpoint meanwhile is skipped.
   */
  private async recordAll(claimed: ClaimedDelivery[], results: AttemptResult[]): Promise<void> {
    const now = new Date();
    const delays = this.options.retryDelaysMs;
    await db.$transaction(async (tx) => {
      const still = new Set(
        (
          await tx.webhookDelivery.findMany({
            where: { id: { in: claimed.map((d) => d.id) } },
            select: { id: true },
          })
        ).map((d) => d.id),
      );
      const done = claimed
        .map((delivery, i) => ({ delivery, result: results[i]! }))
        .filter(({ delivery }) => still.has(delivery.id));
      if (done.length === 0) return;
      await tx.webhookAttempt.createMany({
        data: done.map(({ delivery, result }) => ({
          deliveryId: delivery.id,
          at: now,
          responseStatus: result.status,
          responseBody: result.body,
          error: result.error ?? null,
          durationMs: result.durationMs,
        })),
      });
      const deliveredByStatus = new Map<number | null, string[]>();
      const answered = new Set<string>();
      for (const { delivery, result } of done) {
        if (!result.ok) continue;
        const ids = deliveredByStatus.get(result.status);
        if (ids) ids.push(delivery.id);
        else deliveredByStatus.set(result.status, [delivery.id]);
        answered.add(delivery.endpoint.id);
      }
      for (const [status, ids] of deliveredByStatus) {
        await tx.webhookDelivery.updateMany({
          where: { id: { in: ids } },
          data: {
            status: "delivered",
            attempts: { increment: 1 },
            deliveredAt: now,
            lastResponseStatus: status,
            lockedUntil: null,
          },
        });
      }
      // An endpoint that answered one delivery is not failing, whatever else this batch saw.
      const recovered = done
        .filter(({ delivery, result }) => result.ok && delivery.endpoint.failingSince)
        .map(({ delivery }) => delivery.endpoint.id);
      if (recovered.length > 0) {
        await tx.webhookEndpoint.updateMany({
          where: { id: { in: [...new Set(recovered)].sort() } },
          data: { failingSince: null },
        });
      }
      const failingEndpoints = new Map<string, ClaimedDelivery["endpoint"]>();
      for (const { delivery, result } of done) {
        if (result.ok) continue;
        const attempts = delivery.attempts + 1;
        const outOfTries = attempts > delays.length;
        await tx.webhookDelivery.update({
          where: { id: delivery.id },
          data: {
            status: outOfTries ? "failed" : "pending",
            attempts,
            lastResponseStatus: result.status,
            lockedUntil: null,
            ...(outOfTries
              ? {}
              : { nextAttemptAt: new Date(now.getTime() + jittered(delays[attempts - 1]!)) }),
          },
        });
        if (!answered.has(delivery.endpoint.id))
          failingEndpoints.set(delivery.endpoint.id, delivery.endpoint);
      }
      // In id order, as every batch does: two instances' batches never wait on each other's rows.
      const failing = [...failingEndpoints.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      for (const endpoint of failing) await this.noteFailing(tx, endpoint, now);
    });
  }

  /** An endpoint whose attempts failed: failing since now, or disabled after 24 h of it. */
  private async noteFailing(tx: Tx, failed: ClaimedDelivery["endpoint"], now: Date): Promise<void> {
    const endpoint = await tx.webhookEndpoint.findUnique({
      where: { id: failed.id },
      select: { status: true, failingSince: true },
    });
    if (!endpoint) return;
    if (!endpoint.failingSince) {
      await tx.webhookEndpoint.update({ where: { id: failed.id }, data: { failingSince: now } });
    } else if (
      endpoint.status === "active" &&
      now.getTime() - endpoint.failingSince.getTime() >= this.options.disableAfterFailingMs
    ) {
      await tx.webhookEndpoint.update({
        where: { id: failed.id },
        data: { status: "disabled", disabledReason: "Every delivery failed for 24 hours." },
      });
      await recordAudit(tx, {
        orgId: failed.orgId,
        actor: { type: "SYSTEM", identity: "system" },
        action: "webhook.disabled",
        target: { type: "webhook", id: failed.id, name: failed.url },
        metadata: { reason: "failing for 24 hours", since: endpoint.failingSince.toISOString() },
      });
    }
  }
}

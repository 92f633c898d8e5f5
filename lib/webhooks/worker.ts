// Sends the outbox (rule 28): claims due deliveries with a lease (so that on PostgreSQL several
// instances never send one delivery at once, and a dead instance's claims lapse), makes one
// attempt each, keeps every attempt in the delivery log, and schedules the next try — about 5 s,
// 5 min, 30 min, 2 h, 5 h and 10 h after a failure, with ±10 % jitter — until it is delivered or
// out of tries. An endpoint whose attempts have all failed for 24 h is disabled (audited) and
// shown in Attention. Delivery is at least once: a crash after sending and before recording
// sends again, with the same webhook-id.
import { countResult } from "@/lib/ops/metrics";
import { db } from "@/lib/db";
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
      await Promise.all(claimed.map((id) => this.attempt(id)));
      if (this.stopped) return total;
    }
  }

  private async claim(): Promise<string[]> {
    const now = new Date();
    const due = await db.webhookDelivery.findMany({
      where: {
        status: "pending",
        nextAttemptAt: { lte: now },
        OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
        endpoint: { status: "active" },
      },
      orderBy: { nextAttemptAt: "asc" },
      take: this.options.concurrency,
      select: { id: true, lockedUntil: true },
    });
    const mine: string[] = [];
    for (const d of due) {
      // Only one worker's conditional update matches: the claim is the lease.
      const { count } = await db.webhookDelivery.updateMany({
        where: { id: d.id, status: "pending", lockedUntil: d.lockedUntil },
        data: { lockedUntil: new Date(now.getTime() + this.options.leaseMs) },
      });
      if (count === 1) mine.push(d.id);
    }
    return mine;
  }

  private async attempt(id: string): Promise<void> {
    try {
      await this.attemptOnce(id);
    } catch (error) {
      // A delivery deleted mid-attempt (its endpoint was deleted) is not an error worth a log.
      const code = (error as { code?: string }).code;
      if (code === "P2003" || code === "P2025") return;
      throw error;
    }
  }

  private async attemptOnce(id: string): Promise<void> {
    const delivery = await db.webhookDelivery.findUnique({
      where: { id },
      select: {
        id: true,
        payload: true,
        attempts: true,
        endpoint: { select: { id: true, orgId: true, url: true, sealedSecret: true, failingSince: true } },
      },
    });
    if (!delivery) return;
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
    await this.record(delivery, result);
  }

  private async record(
    delivery: {
      id: string;
      attempts: number;
      endpoint: { id: string; orgId: string; url: string; failingSince: Date | null };
    },
    result: AttemptResult,
  ): Promise<void> {
    const now = new Date();
    const attempts = delivery.attempts + 1;
    const delays = this.options.retryDelaysMs;
    await db.$transaction(async (tx) => {
      // Deleted with its endpoint while it was being sent: nothing left to record.
      if (!(await tx.webhookDelivery.findUnique({ where: { id: delivery.id }, select: { id: true } })))
        return;
      await tx.webhookAttempt.create({
        data: {
          deliveryId: delivery.id,
          at: now,
          responseStatus: result.status,
          responseBody: result.body,
          error: result.error ?? null,
          durationMs: result.durationMs,
        },
      });
      if (result.ok) {
        await tx.webhookDelivery.update({
          where: { id: delivery.id },
          data: {
            status: "delivered",
            attempts,
            deliveredAt: now,
            lastResponseStatus: result.status,
            lockedUntil: null,
          },
        });
        if (delivery.endpoint.failingSince) {
          await tx.webhookEndpoint.update({
            where: { id: delivery.endpoint.id },
            data: { failingSince: null },
          });
        }
        return;
      }
      const outOfTries = attempts > delays.length;
      await tx.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          status: outOfTries ? "failed" : "pending",
          attempts,
          lastResponseStatus: result.status,
          lockedUntil: null,
          ...(outOfTries ? {} : { nextAttemptAt: new Date(now.getTime() + jittered(delays[attempts - 1]!)) }),
        },
      });
      const endpoint = await tx.webhookEndpoint.findUnique({
        where: { id: delivery.endpoint.id },
        select: { status: true, failingSince: true },
      });
      if (!endpoint) return;
      if (!endpoint.failingSince) {
        await tx.webhookEndpoint.update({ where: { id: delivery.endpoint.id }, data: { failingSince: now } });
      } else if (
        endpoint.status === "active" &&
        now.getTime() - endpoint.failingSince.getTime() >= this.options.disableAfterFailingMs
      ) {
        await tx.webhookEndpoint.update({
          where: { id: delivery.endpoint.id },
          data: { status: "disabled", disabledReason: "Every delivery failed for 24 hours." },
        });
        await recordAudit(tx, {
          orgId: delivery.endpoint.orgId,
          actor: { type: "SYSTEM", identity: "system" },
          action: "webhook.disabled",
          target: { type: "webhook", id: delivery.endpoint.id, name: delivery.endpoint.url },
          metadata: { reason: "failing for 24 hours", since: endpoint.failingSince.toISOString() },
        });
      }
    });
  }
}

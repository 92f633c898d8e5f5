import type { Tx } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { AuditActor } from "@/lib/core/audit-actor";
import { enqueueWebhookEvent } from "./outbox";
import { EVENT_SELECT, auditEventAnswer } from "./answer";

export type AuditEventInput = {
  orgId: string | null;
  actor: AuditActor;
  action: string;
  target?: { type: string; id: string; name?: string };
  metadata?: Record<string, unknown>;
  ip?: string | null;
  userAgent?: string | null;
};

// Keys that could carry credential material; dropped wherever they appear, as a second line of
// defence behind callers that never pass secrets in the first place.
const SECRET_KEY_PATTERN = /secret|password|hash|token|apikey|api_key|credential/i;

/** Deep-copies metadata without any secret-looking key. */
export function scrubMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrubMetadata);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (!SECRET_KEY_PATTERN.test(key)) out[key] = scrubMetadata(inner);
    }
    return out;
  }
  return value;
}

/**
 * Appends an audit event inside the caller's transaction, so it commits with the change, and
 * with it the webhook deliveries that announce it (rule 29: every audit action is an event type,
 * its data the event as the audit-events API answers it). Given the root client rather than a
 * transaction, it opens one: the event and its deliveries are never written apart.
 */
export async function recordAudit(tx: Tx, event: AuditEventInput): Promise<void> {
  if ("$transaction" in tx && typeof tx.$transaction === "function") {
    await (tx as unknown as { $transaction<T>(work: (t: Tx) => Promise<T>): Promise<T> }).$transaction(
      (inner) => recordAudit(inner, event),
    );
    return;
  }
  const row = await tx.auditEvent.create({
    data: {
      orgId: event.orgId,
      actorType: event.actor.type,
      actorId: "id" in event.actor ? event.actor.id : null,
      actorIdentity: event.actor.identity,
      action: event.action,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      targetName: event.target?.name ?? null,
      metadata: scrubMetadata(event.metadata ?? {}) as Prisma.InputJsonObject,
      ip: event.ip?.slice(0, 64) ?? null,
      userAgent: event.userAgent?.slice(0, 512) ?? null,
    },
    select: EVENT_SELECT,
  });
  if (event.orgId) {
    await enqueueWebhookEvent(tx, event.orgId, event.action, auditEventAnswer(row), {
      timestamp: row.createdAt,
    });
  }
}

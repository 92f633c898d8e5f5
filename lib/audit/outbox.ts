// The transactional outbox (rule 28): an event's deliveries are rows written with the caller's
// transaction client, so they commit with the change and its audit event or not at all. The
// webhook worker (lib/webhooks/worker.ts) sends them; nothing here talks to the network. It lives
// beside recordAudit, which writes every event's deliveries, and depends on nothing above it.
import crypto from "node:crypto";
import type { Tx } from "@/lib/db";

/** The webhook-id of a delivery: the same on every attempt (receivers deduplicate on it). */
export function newMessageId(): string {
  return `msg_${crypto.randomBytes(16).toString("base64url")}`;
}

/** The event types an endpoint subscribed to (JSON list), or null: every event. */
function subscribedTypes(events: string | null): string[] | null {
  if (events === null) return null;
  const parsed: unknown = JSON.parse(events);
  return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === "string") : null;
}

/** Wakes this process's worker (and other threads'): deliveries are waiting. */
const wake = typeof BroadcastChannel === "undefined" ? null : new BroadcastChannel("deputy-outbox");
// A process whose only reference is this channel must still be able to exit.
(wake as unknown as { unref?: () => void } | null)?.unref?.();

/**
 * Writes one delivery of `type` for every active endpoint of the org that subscribed to it (or
 * for `onlyEndpointId`, whatever it subscribed to: the test event). Answers the delivery ids.
 */
export async function enqueueWebhookEvent(
  tx: Tx,
  orgId: string,
  type: string,
  data: unknown,
  options: { onlyEndpointId?: string; timestamp?: Date } = {},
): Promise<string[]> {
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { orgId, status: "active", ...(options.onlyEndpointId ? { id: options.onlyEndpointId } : {}) },
    select: { id: true, events: true },
  });
  const targets = options.onlyEndpointId
    ? endpoints
    : endpoints.filter((e) => {
        const types = subscribedTypes(e.events);
        return types === null || types.includes(type);
      });
  if (targets.length === 0) return [];
  const payload = JSON.stringify({
    type,
    timestamp: (options.timestamp ?? new Date()).toISOString(),
    data,
  });
  const rows = targets.map((e) => ({ id: newMessageId(), endpointId: e.id, type, payload }));
  await tx.webhookDelivery.createMany({ data: rows });
  wake?.postMessage("due");
  return rows.map((r) => r.id);
}

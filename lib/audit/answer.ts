// An audit event as every door answers it: the API, the CLI, the JSON Lines export and the
// webhook deliveries that announce it (rule 29: data = the event in this shape).
import type { Prisma } from "@/lib/generated/prisma/client";

export const EVENT_SELECT = {
  id: true,
  createdAt: true,
  actorType: true,
  actorId: true,
  actorIdentity: true,
  action: true,
  targetType: true,
  targetId: true,
  targetName: true,
  metadata: true,
  ip: true,
  userAgent: true,
} satisfies Prisma.AuditEventSelect;

export type AuditRow = Prisma.AuditEventGetPayload<{ select: typeof EVENT_SELECT }>;

/** An event as the API, the CLI and the JSON Lines export answer it. */
export function auditEventAnswer(e: AuditRow) {
  return {
    id: e.id,
    time: e.createdAt.toISOString(),
    actor: { type: e.actorType.toLowerCase(), id: e.actorId, identity: e.actorIdentity },
    action: e.action,
    target: e.targetType ? { type: e.targetType, id: e.targetId, name: e.targetName } : null,
    metadata: e.metadata as Record<string, unknown>,
    ip: e.ip,
    userAgent: e.userAgent,
  };
}

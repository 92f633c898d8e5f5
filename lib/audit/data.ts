import { db } from "@/lib/db";
import type { Caller } from "@/lib/auth/caller";
import { authorizeOrg } from "@/lib/authz/guard";

/** The org's most recent audit events, newest first (index: orgId + createdAt). */
export async function listAuditEvents(caller: Caller, orgSlug: string, limit = 100) {
  const { org } = await authorizeOrg(caller.user.id, orgSlug, "org.view_audit");
  return db.auditEvent.findMany({
    where: { orgId: org.id },
    orderBy: { createdAt: "desc" },
    take: Math.min(Math.max(limit, 1), 500),
    select: {
      id: true,
      createdAt: true,
      actorType: true,
      actorIdentity: true,
      action: true,
      targetType: true,
      targetName: true,
      metadata: true,
      ip: true,
    },
  });
}

import type { AuditActor } from "@/lib/audit/record";

/** The signed-in person making a request, with where the request came from (for audit). */
export type Caller = {
  user: { id: string; email: string; name: string };
  ip: string | null;
  userAgent: string | null;
};

export function auditActorOf(caller: Caller): AuditActor {
  return { type: "USER", id: caller.user.id, identity: caller.user.email };
}

/** Spread into an audit event: actor, IP and user agent of the caller. */
export function auditSourceOf(caller: Caller) {
  return { actor: auditActorOf(caller), ip: caller.ip, userAgent: caller.userAgent };
}

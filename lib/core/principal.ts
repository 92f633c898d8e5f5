// Who is acting: a person signed in to the console, or a service account calling the API with a
// credential. Every domain function takes a principal, authorises against it, and records it in
// audit events and "created by" — so the console and the API are two doors onto one domain.
import type { AuditActor } from "./audit-actor";

/** A person signed in to the console, with where the request came from. */
export type PersonPrincipal = {
  user: { id: string; email: string; name: string };
  ip: string | null;
  userAgent: string | null;
  /** The console session making the request, when there is one (rule 36). */
  sessionId?: string;
};

/** A service account, as its verified credential names it. */
export type ActingServiceAccount = {
  id: string;
  name: string;
  /** Display identity: <name>@<org>.sa.<domain>. */
  identity: string;
  orgId: string;
  orgSlug: string;
  scope: "ORG" | "TEAM";
  role: "ADMIN" | "MEMBER" | "VIEWER";
  /** Parent team (team scope) or default team (org scope). */
  team: { id: string; slug: string };
};

export type ServiceAccountPrincipal = {
  serviceAccount: ActingServiceAccount;
  /** What the credential narrows the account to (rule 24); absent: nothing. */
  restrictions?: { permission: "read" | "write" | "admin"; projects: string[] | null };
  /**
   * Records what an allowed request did (rule 27's right-sizing): the runs domain calls it once a
   * project read or write passed every check. Absent when nothing records use (tests, tokens).
   */
  noteUse?: (kind: "read" | "write" | "admin", project?: string) => void;
  /** The verified claims of the exchanged JWT, when the account called with an access token. */
  workloadClaims?: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
};

export type Principal = PersonPrincipal | ServiceAccountPrincipal;

export function isServiceAccountPrincipal(principal: Principal): principal is ServiceAccountPrincipal {
  return "serviceAccount" in principal;
}

/** The name people read for the principal: an email, or a service account's display identity. */
export function principalIdentity(principal: Principal): string {
  return isServiceAccountPrincipal(principal) ? principal.serviceAccount.identity : principal.user.email;
}

export function auditActorOf(principal: Principal): AuditActor {
  return isServiceAccountPrincipal(principal)
    ? {
        type: "SERVICE_ACCOUNT",
        id: principal.serviceAccount.id,
        identity: principal.serviceAccount.identity,
      }
    : { type: "USER", id: principal.user.id, identity: principal.user.email };
}

/** Spread into an audit event: actor, IP and user agent of the principal. */
export function auditSourceOf(principal: Principal) {
  return { actor: auditActorOf(principal), ip: principal.ip, userAgent: principal.userAgent };
}

/** Spread into a created row: who created it, a person or a service account. */
export function createdByOf(principal: Principal) {
  return isServiceAccountPrincipal(principal)
    ? { createdByUserId: null, createdByServiceAccountId: principal.serviceAccount.id }
    : { createdByUserId: principal.user.id, createdByServiceAccountId: null };
}

/** Who an audit event names as its actor (lib/audit/record.ts writes it). */
export type AuditActor =
  | { type: "USER"; id: string; identity: string }
  | { type: "SERVICE_ACCOUNT"; id: string; identity: string }
  | { type: "SYSTEM"; identity: "system" | "scim" }
  | { type: "ANONYMOUS"; identity: string };

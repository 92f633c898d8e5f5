// Who a SCIM change is audited as: the system, identity "scim", from the client's address.
import type { Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";

export type ScimSource = { orgId: string; ip: string | null; userAgent: string | null };

const SCIM_ACTOR = { type: "SYSTEM", identity: "scim" } as const;

/** Records a SCIM change in the caller's transaction. */
export const scimAudit = (
  tx: Tx,
  source: ScimSource,
  event: Omit<Parameters<typeof recordAudit>[1], "orgId" | "actor">,
) =>
  recordAudit(tx, {
    orgId: source.orgId,
    actor: SCIM_ACTOR,
    ip: source.ip,
    userAgent: source.userAgent,
    ...event,
  });

// The audit log as people and SIEMs read it: filters (actor type, actor, action, target, time,
// a search), newest first, cursor-paged through every event. One query serves the Audit log tab,
// its export, GET /api/v1/audit-events and `deputy audit`.
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { authorizeOrgAdmin } from "@/lib/authz/guard";
import type { Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { zText } from "@/lib/validation/text";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/validation/cursor";

export const ACTOR_TYPES = ["user", "service_account", "system", "anonymous"] as const;
const ACTOR_TYPE_OF = {
  user: "USER",
  service_account: "SERVICE_ACCOUNT",
  system: "SYSTEM",
  anonymous: "ANONYMOUS",
} as const;

const ZTime = zText()
  .trim()
  .max(40)
  .refine((v) => !Number.isNaN(Date.parse(v)), "must be an ISO 8601 time, like 2026-11-25T00:00:00Z")
  .transform((v) => new Date(v));

export const ZAuditQuery = z
  .object({
    actorType: z
      .preprocess((v) => (typeof v === "string" ? v.toLowerCase() : v), z.enum(ACTOR_TYPES))
      .optional(),
    /** An actor's identity (email or display identity) or id, exactly. */
    actor: zText().trim().min(1).max(256).optional(),
    action: zText().trim().min(1).max(100).optional(),
    /** A target's id or name, exactly. */
    target: zText().trim().min(1).max(256).optional(),
    /** Text in the actor's or the target's identity. */
    q: zText().trim().max(100).optional(),
    from: ZTime.optional(),
    to: ZTime.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
    cursor: zText().max(200).optional(),
  })
  .strict();
export type TAuditQuery = z.input<typeof ZAuditQuery>;

function decodeCursor(cursor: string): { at: Date; id: string } {
  const after = decodeTimeCursor(cursor);
  if (!after) throw new AppError("INVALID", "cursor is not valid: pass the nextCursor of a previous answer.");
  return after;
}

/**
 * The where-clause of a query, within one org; `candidateIds` are the search index's narrowing of
 * `q` (lib/audit/search.ts), when it has one.
 */
export function auditWhere(
  orgId: string,
  query: z.output<typeof ZAuditQuery>,
  candidateIds?: string[] | null,
): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [{ orgId }];
  if (candidateIds) and.push({ id: { in: candidateIds } });
  if (query.actorType) and.push({ actorType: ACTOR_TYPE_OF[query.actorType] });
  if (query.actor) and.push({ OR: [{ actorIdentity: query.actor }, { actorId: query.actor }] });
  if (query.action) and.push({ action: query.action });
  if (query.target) and.push({ OR: [{ targetId: query.target }, { targetName: query.target }] });
  if (query.q)
    and.push({ OR: [{ actorIdentity: { contains: query.q } }, { targetName: { contains: query.q } }] });
  if (query.from) and.push({ createdAt: { gte: query.from } });
  if (query.to) and.push({ createdAt: { lt: query.to } });
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    and.push({ OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] });
  }
  return { AND: and };
}

import { EVENT_SELECT, auditEventAnswer, type AuditRow } from "./answer";
import { auditSearchCandidates } from "./search";
export { auditEventAnswer, type AuditRow };

/** One page of matching events, newest first, and the cursor of the next page (null at the end). */
export async function queryAuditEvents(
  principal: Principal,
  orgSlug: string | undefined,
  input: TAuditQuery,
) {
  const { id: orgId } = await authorizeOrgAdmin(
    principal,
    orgSlug,
    "org.view_audit",
    "Only org-scoped ADMIN service accounts read the audit log.",
  );
  const query = parseInput(ZAuditQuery, input);
  const candidates = query.q ? await auditSearchCandidates(orgId, query.q) : null;
  if (candidates?.length === 0) return { events: [], nextCursor: null };
  const rows = await db.auditEvent.findMany({
    where: auditWhere(orgId, query, candidates),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
    select: EVENT_SELECT,
  });
  const events = rows.slice(0, query.limit);
  const last = events.at(-1);
  return {
    events,
    nextCursor: rows.length > query.limit && last ? encodeTimeCursor(last.createdAt, last.id) : null,
  };
}

/** Every matching event, page by page, for exports: memory stays at one page whatever the size. */
export async function* allAuditEvents(principal: Principal, orgSlug: string | undefined, input: TAuditQuery) {
  let cursor: string | undefined;
  do {
    const page = await queryAuditEvents(principal, orgSlug, { ...input, limit: 1000, cursor });
    yield* page.events;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

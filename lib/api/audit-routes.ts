// GET /api/v1/audit-events (SPEC §4): the audit log for SIEM pulls, through the same query as the
// console's Audit log tab and its export.
import { z } from "zod";
import { ZAuditQuery, auditEventAnswer, queryAuditEvents } from "@/lib/audit/query";
import { defineRoute } from "./router";

export const ZAuditEvent = z
  .object({
    id: z.string(),
    time: z.string(),
    actor: z.object({ type: z.string(), id: z.string().nullable(), identity: z.string() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string().nullable(), name: z.string().nullable() }).nullable(),
    metadata: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .meta({ id: "AuditEvent" });

export const listAuditEventsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/audit-events",
  operationId: "listAuditEvents",
  summary:
    "The organization's audit events, newest first, filtered and cursor-paginated through every event. Never holds a secret.",
  access: "admin",
  query: ZAuditQuery,
  responses: {
    200: {
      description: "A page of events",
      schema: z.object({ events: z.array(ZAuditEvent), nextCursor: z.string().nullable() }),
    },
  },
  errors: ["invalid_request", "forbidden"],
  handle: async ({ principal, query }) => {
    // The dispatcher parsed the query already; the domain parses its own input again.
    const page = await queryAuditEvents(principal, undefined, {
      ...query,
      from: query.from?.toISOString(),
      to: query.to?.toISOString(),
    });
    return { status: 200, body: { events: page.events.map(auditEventAnswer), nextCursor: page.nextCursor } };
  },
});

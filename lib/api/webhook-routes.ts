// Webhooks (SPEC §4, rules 28–29): org-scoped ADMIN accounts manage their org's endpoints.
import { z } from "zod";
import { zText } from "@/lib/validation/text";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  resendDelivery,
  sendTestEvent,
  updateWebhook,
} from "@/lib/webhooks/endpoints";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/events";
import { defineRoute } from "./router";

const ZEventType = z.string().meta({ description: "An event type", examples: ["api_key.created"] });

export const ZWebhook = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z
      .array(ZEventType)
      .nullable()
      .meta({
        description: `The event types it receives; null: every event. Known types: ${WEBHOOK_EVENT_TYPES.join(", ")}.`,
      }),
    status: z.enum(["active", "disabled"]),
    disabledReason: z.string().nullable(),
    failingSince: z
      .string()
      .nullable()
      .meta({ description: "Since when every attempt has failed (24 h disables it)." }),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: "Webhook" });

export const ZWebhookDelivery = z
  .object({
    id: z.string().meta({ description: "The webhook-id header: the same on every attempt." }),
    type: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    lastResponseStatus: z.number().int().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: "WebhookDelivery" });

// Shapes only: the domain validates (events against the known types, the URL's rules).
const ZWebhookBody = z
  .object({
    url: zText().max(4096),
    description: zText().max(1000).optional(),
    events: z.array(zText().max(128)).max(500).nullable().optional(),
  })
  .strict();

const ZWebhookPatch = z
  .object({
    url: zText().max(4096).optional(),
    description: zText().max(1000).optional(),
    events: z.array(zText().max(128)).max(500).nullable().optional(),
    status: z.enum(["active", "disabled"]).optional(),
  })
  .strict();

const ZWebhookParams = z.object({ id: zText().min(1).max(128) });
const ZDeliveryParams = z.object({ id: zText().min(1).max(128), deliveryId: zText().min(1).max(128) });

export const listWebhooksRoute = defineRoute({
  method: "GET",
  path: "/api/v1/webhooks",
  operationId: "listWebhooks",
  summary: "The organization's webhook endpoints (rule 28), oldest first.",
  access: "admin",
  responses: { 200: { description: "The endpoints", schema: z.object({ webhooks: z.array(ZWebhook) }) } },
  errors: ["forbidden"],
  handle: async ({ principal }) => ({ status: 200, body: { webhooks: await listWebhooks(principal) } }),
});

export const createWebhookRoute = defineRoute({
  method: "POST",
  path: "/api/v1/webhooks",
  operationId: "createWebhook",
  summary:
    "Add an endpoint: an https URL on a public address (http and private addresses only with DEPUTY_ALLOW_PRIVATE_WEBHOOKS=1), at most 2,048 characters, without credentials; events omitted or null = every event. Deliveries follow Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature v1 with the whsec_ secret). The answer holds the signing secret: the only time it is shown.",
  access: "admin",
  body: ZWebhookBody,
  bodyName: "webhook",
  responses: {
    201: {
      description: "Added, with its signing secret (shown once)",
      schema: z.object({ webhook: ZWebhook, secret: z.string().meta({ description: "whsec_…" }) }),
    },
  },
  errors: ["invalid_request", "forbidden"],
  handle: async ({ principal, body }) => ({
    status: 201,
    body: await createWebhook(principal, undefined, body),
  }),
});

export const getWebhookRoute = defineRoute({
  method: "GET",
  path: "/api/v1/webhooks/{id}",
  operationId: "getWebhook",
  summary: "One endpoint.",
  access: "admin",
  params: ZWebhookParams,
  responses: { 200: { description: "The endpoint", schema: z.object({ webhook: ZWebhook }) } },
  errors: ["forbidden", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: { webhook: await getWebhook(principal, undefined, params.id) },
  }),
});

export const updateWebhookRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/webhooks/{id}",
  operationId: "updateWebhook",
  summary: "Change an endpoint's URL, description or events, or disable / enable it (status). Audited.",
  access: "admin",
  params: ZWebhookParams,
  body: ZWebhookPatch,
  bodyName: "change",
  responses: {
    200: { description: "The endpoint after the change", schema: z.object({ webhook: ZWebhook }) },
  },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params, body }) => ({
    status: 200,
    body: { webhook: await updateWebhook(principal, undefined, params.id, body) },
  }),
});

export const deleteWebhookRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/webhooks/{id}",
  operationId: "deleteWebhook",
  summary: "Delete an endpoint and its delivery log (audited). Pending deliveries are dropped.",
  access: "admin",
  params: ZWebhookParams,
  responses: { 204: { description: "Deleted" } },
  errors: ["forbidden", "not_found"],
  handle: async ({ principal, params }) => {
    await deleteWebhook(principal, undefined, params.id);
    return { status: 204 };
  },
});

export const listDeliveriesRoute = defineRoute({
  method: "GET",
  path: "/api/v1/webhooks/{id}/deliveries",
  operationId: "listWebhookDeliveries",
  summary: "An endpoint's deliveries, newest first, cursor-paginated (limit 1–200, default 50).",
  access: "admin",
  params: ZWebhookParams,
  query: z.object({
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: zText().max(200).optional(),
  }),
  responses: {
    200: {
      description: "The deliveries",
      schema: z.object({ deliveries: z.array(ZWebhookDelivery), nextCursor: z.string().nullable() }),
    },
  },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params, query }) => ({
    status: 200,
    body: await listDeliveries(principal, undefined, params.id, query),
  }),
});

export const testWebhookRoute = defineRoute({
  method: "POST",
  path: "/api/v1/webhooks/{id}/test",
  operationId: "testWebhook",
  summary:
    "Send a webhook.test event to this endpoint only; answers its delivery (sent within a second or so).",
  access: "admin",
  params: ZWebhookParams,
  responses: { 202: { description: "Queued", schema: z.object({ delivery: ZWebhookDelivery }) } },
  errors: ["forbidden", "not_found", "conflict"],
  handle: async ({ principal, params }) => ({
    status: 202,
    body: { delivery: await sendTestEvent(principal, undefined, params.id) },
  }),
});

export const resendDeliveryRoute = defineRoute({
  method: "POST",
  path: "/api/v1/webhooks/{id}/deliveries/{deliveryId}/resend",
  operationId: "resendWebhookDelivery",
  summary: "Send a delivery again, with the same webhook-id (receivers deduplicate on it).",
  access: "admin",
  params: ZDeliveryParams,
  responses: { 202: { description: "Queued", schema: z.object({ delivery: ZWebhookDelivery }) } },
  errors: ["forbidden", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 202,
    body: { delivery: await resendDelivery(principal, undefined, params.id, params.deliveryId) },
  }),
});

export const WEBHOOK_ROUTES = [
  listWebhooksRoute,
  createWebhookRoute,
  getWebhookRoute,
  updateWebhookRoute,
  deleteWebhookRoute,
  listDeliveriesRoute,
  testWebhookRoute,
  resendDeliveryRoute,
];

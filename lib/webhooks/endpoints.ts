// Webhook endpoints as the domain manages them (rule 28): org admins in the console and org-scoped
// ADMIN accounts through the API, each in their own org only. Every change is audited (and so
// announced to the other endpoints, in the same transaction).
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { authorizeOrgAdmin } from "@/lib/authz/guard";
import { config } from "@/lib/config/env";
import { auditSourceOf, principalIdentity, type Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { FetchProblem, resolvePublic } from "@/lib/federation/fetch";
import { storedList } from "@/lib/keys/restrictions";
import { seal } from "@/lib/security/sealed";
import { isBoundedId } from "@/lib/validation/text";
import { decodeTimeCursor, encodeTimeCursor } from "@/lib/validation/cursor";
import { enqueueWebhookEvent } from "@/lib/audit/outbox";
import { ZNewWebhook, ZWebhookChanges, type TNewWebhook, type TWebhookChanges } from "./schemas";
import { newSigningSecret } from "./signing";
import { webhookUrlProblem } from "./url";
import { SECRET_PURPOSE } from "./worker";

const ENDPOINT_SELECT = {
  id: true,
  url: true,
  description: true,
  events: true,
  status: true,
  disabledReason: true,
  failingSince: true,
  createdAt: true,
  createdByIdentity: true,
} as const;

type EndpointRow = {
  id: string;
  url: string;
  description: string;
  events: string | null;
  status: string;
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
  createdByIdentity: string;
};

/** An endpoint as every door answers it (never its secret). */
export function webhookAnswer(row: EndpointRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: storedList(row.events),
    status: row.status as "active" | "disabled",
    disabledReason: row.disabledReason,
    failingSince: row.failingSince?.toISOString() ?? null,
    createdBy: row.createdByIdentity,
    createdAt: row.createdAt.toISOString(),
  };
}
export type WebhookAnswer = ReturnType<typeof webhookAnswer>;

/** The org whose webhooks the principal manages. */
function webhookOrg(principal: Principal, orgSlug?: string) {
  return authorizeOrgAdmin(
    principal,
    orgSlug,
    "org.manage_webhooks",
    "Only org-scoped ADMIN service accounts manage webhooks.",
  );
}

/** The URL rules, and that its host resolves to public addresses (unless private ones are allowed). */
async function checkUrl(url: string): Promise<void> {
  const allowPrivate = config().allowPrivateWebhooks;
  const problem = webhookUrlProblem(url, allowPrivate);
  if (problem) throw new AppError("INVALID", problem, { url: problem });
  try {
    await resolvePublic(
      new URL(url),
      allowPrivate,
      "Deputy delivers only to public addresses. Set DEPUTY_ALLOW_PRIVATE_WEBHOOKS=1 for a receiver inside your network.",
    );
  } catch (error) {
    if (error instanceof FetchProblem) throw new AppError("INVALID", error.message, { url: error.message });
    throw error;
  }
}

async function findEndpoint(orgId: string, ref: unknown) {
  if (!isBoundedId(ref, 128)) throw new AppError("NOT_FOUND", "Webhook endpoint not found.");
  const row = await db.webhookEndpoint.findFirst({ where: { id: ref, orgId }, select: ENDPOINT_SELECT });
  if (!row) throw new AppError("NOT_FOUND", "Webhook endpoint not found.");
  return row;
}

export async function listWebhooks(principal: Principal, orgSlug?: string) {
  const org = await webhookOrg(principal, orgSlug);
  const rows = await db.webhookEndpoint.findMany({
    where: { orgId: org.id },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: ENDPOINT_SELECT,
  });
  return rows.map(webhookAnswer);
}

export async function getWebhook(principal: Principal, orgSlug: string | undefined, id: unknown) {
  const org = await webhookOrg(principal, orgSlug);
  return webhookAnswer(await findEndpoint(org.id, id));
}

/** Adds an endpoint; answers it with its signing secret, the only time the secret is shown. */
export async function createWebhook(principal: Principal, orgSlug: string | undefined, input: TNewWebhook) {
  const org = await webhookOrg(principal, orgSlug);
  const data = parseInput(ZNewWebhook, input);
  await checkUrl(data.url);
  const secret = newSigningSecret();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.webhookEndpoint.create({
      data: {
        orgId: org.id,
        url: data.url,
        description: data.description,
        events: data.events ? JSON.stringify(data.events) : null,
        sealedSecret: seal(SECRET_PURPOSE, secret),
        createdByIdentity: principalIdentity(principal),
      },
      select: ENDPOINT_SELECT,
    });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(principal),
      action: "webhook.created",
      target: { type: "webhook", id: created.id, name: created.url },
      metadata: { events: data.events ?? "all" },
    });
    return created;
  });
  return { webhook: webhookAnswer(row), secret };
}

/** Changes an endpoint's URL, description, events or status (Disable / Enable). */
export async function updateWebhook(
  principal: Principal,
  orgSlug: string | undefined,
  id: unknown,
  input: TWebhookChanges,
) {
  const org = await webhookOrg(principal, orgSlug);
  const before = await findEndpoint(org.id, id);
  const changes = parseInput(ZWebhookChanges, input);
  if (changes.url !== undefined && changes.url !== before.url) await checkUrl(changes.url);
  const row = await db.$transaction(async (tx) => {
    const after = await tx.webhookEndpoint.update({
      where: { id: before.id, orgId: org.id },
      data: {
        ...(changes.url !== undefined ? { url: changes.url } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(changes.events !== undefined
          ? { events: changes.events ? JSON.stringify(changes.events) : null }
          : {}),
        ...(changes.status === "active"
          ? { status: "active", disabledReason: null, failingSince: null }
          : {}),
        ...(changes.status === "disabled" && before.status !== "disabled"
          ? { status: "disabled", disabledReason: `Disabled by ${principalIdentity(principal)}.` }
          : {}),
      },
      select: ENDPOINT_SELECT,
    });
    const source = {
      orgId: org.id,
      ...auditSourceOf(principal),
      target: { type: "webhook", id: after.id, name: after.url },
    };
    if (after.status !== before.status) {
      await recordAudit(tx, {
        ...source,
        action: after.status === "active" ? "webhook.enabled" : "webhook.disabled",
      });
    }
    const changed = (["url", "description", "events"] as const).filter((f) => before[f] !== after[f]);
    if (changed.length > 0) {
      await recordAudit(tx, {
        ...source,
        action: "webhook.updated",
        metadata: Object.fromEntries(
          changed.map((f) => [
            f,
            {
              from: f === "events" ? (storedList(before[f]) ?? "all") : before[f],
              to: f === "events" ? (storedList(after[f]) ?? "all") : after[f],
            },
          ]),
        ),
      });
    }
    return after;
  });
  return webhookAnswer(row);
}

export async function deleteWebhook(principal: Principal, orgSlug: string | undefined, id: unknown) {
  const org = await webhookOrg(principal, orgSlug);
  const row = await findEndpoint(org.id, id);
  await db.$transaction(async (tx) => {
    // Its deliveries and their attempts go with it (cascade); the audit event stays.
    await tx.webhookEndpoint.delete({ where: { id: row.id, orgId: org.id } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(principal),
      action: "webhook.deleted",
      target: { type: "webhook", id: row.id, name: row.url },
    });
  });
}

const DELIVERY_SELECT = {
  id: true,
  type: true,
  status: true,
  attempts: true,
  lastResponseStatus: true,
  createdAt: true,
  deliveredAt: true,
  nextAttemptAt: true,
} as const;

function deliveryAnswer(d: {
  id: string;
  type: string;
  status: string;
  attempts: number;
  lastResponseStatus: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date;
}) {
  return {
    id: d.id,
    type: d.type,
    status: d.status as "pending" | "delivered" | "failed",
    attempts: d.attempts,
    lastResponseStatus: d.lastResponseStatus,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt.toISOString() : null,
  };
}
export type DeliveryAnswer = ReturnType<typeof deliveryAnswer>;

/** An endpoint's deliveries, newest first, cursor-paginated. */
export async function listDeliveries(
  principal: Principal,
  orgSlug: string | undefined,
  id: unknown,
  page: { limit?: number; cursor?: string } = {},
) {
  const org = await webhookOrg(principal, orgSlug);
  const endpoint = await findEndpoint(org.id, id);
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  const after = page.cursor ? decodeTimeCursor(page.cursor) : null;
  if (page.cursor && !after) {
    throw new AppError("INVALID", "cursor is not valid: pass the nextCursor of a previous answer.");
  }
  const rows = await db.webhookDelivery.findMany({
    where: {
      endpointId: endpoint.id,
      ...(after
        ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }
        : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: DELIVERY_SELECT,
  });
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    deliveries: shown.map(deliveryAnswer),
    nextCursor: rows.length > limit && last ? encodeTimeCursor(last.createdAt, last.id) : null,
  };
}

/** Send test event: a webhook.test delivery to this endpoint only (it must be active). */
export async function sendTestEvent(principal: Principal, orgSlug: string | undefined, id: unknown) {
  const org = await webhookOrg(principal, orgSlug);
  const endpoint = await findEndpoint(org.id, id);
  if (endpoint.status !== "active") {
    throw new AppError("CONFLICT", "This endpoint is disabled: enable it to send a test event.");
  }
  const [deliveryId] = await db.$transaction((tx) =>
    enqueueWebhookEvent(
      tx,
      org.id,
      "webhook.test",
      { webhook: { id: endpoint.id, url: endpoint.url }, sentBy: principalIdentity(principal) },
      { onlyEndpointId: endpoint.id },
    ),
  );
  const row = await db.webhookDelivery.findUniqueOrThrow({
    where: { id: deliveryId! },
    select: DELIVERY_SELECT,
  });
  return deliveryAnswer(row);
}

/** Resend: the same delivery (same webhook-id, so receivers can deduplicate) is due again now. */
export async function resendDelivery(
  principal: Principal,
  orgSlug: string | undefined,
  id: unknown,
  deliveryId: unknown,
) {
  const org = await webhookOrg(principal, orgSlug);
  const endpoint = await findEndpoint(org.id, id);
  if (!isBoundedId(deliveryId, 128)) throw new AppError("NOT_FOUND", "Delivery not found.");
  const { count } = await db.webhookDelivery.updateMany({
    where: { id: deliveryId, endpointId: endpoint.id },
    data: { status: "pending", nextAttemptAt: new Date(), lockedUntil: null },
  });
  if (count === 0) throw new AppError("NOT_FOUND", "Delivery not found.");
  const row = await db.webhookDelivery.findUniqueOrThrow({
    where: { id: deliveryId },
    select: DELIVERY_SELECT,
  });
  return deliveryAnswer(row);
}

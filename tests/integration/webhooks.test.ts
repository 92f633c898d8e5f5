// Webhooks (SPEC rules 28–29) end to end on the real database: endpoints added over the API, the
// outbox written with the change it announces, a worker sending to a real receiver that verifies
// every delivery with the `standardwebhooks` library, retries, the delivery log, the URL rules,
// and nothing across organizations.
process.env.DEPUTY_ALLOW_PRIVATE_WEBHOOKS = "1";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { enqueueWebhookEvent } from "@/lib/audit/outbox";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { sendAttempt } from "@/lib/webhooks/send";
import { WebhookWorker } from "@/lib/webhooks/worker";
import { createWebhook } from "@/lib/webhooks/endpoints";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";
import { startReceiver } from "../support/webhook-receiver";

type Org = Awaited<ReturnType<typeof makeOrg>>;
let api: Awaited<ReturnType<typeof startApiServer>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let worker: WebhookWorker;
let w: Org;
let other: Org;
let admin: string;
let otherAdmin: string;
let teamAdmin: string;

async function adminKey(org: Org, name: string, scope: "org" | "team" = "org") {
  const account = await createServiceAccountFromForm(
    org.as.orgAdmin,
    scope === "org" ? { orgSlug: org.org.slug } : { teamSlug: org.alpha.slug },
    { name, role: "ADMIN", ...(scope === "org" ? { defaultTeam: org.alpha.slug } : {}) },
  );
  return (await createApiKeyFromForm(org.as.orgAdmin, account.id, { name: "hooks" })).secret;
}

beforeAll(async () => {
  api = await startApiServer();
  receiver = await startReceiver();
  worker = new WebhookWorker({ pollMs: 30, retryDelaysMs: [50, 50], allowPrivate: true, timeoutMs: 1000 });
  worker.start();
  w = await makeOrg();
  other = await makeOrg();
  admin = await adminKey(w, "hooks-admin");
  otherAdmin = await adminKey(other, "other-admin");
  teamAdmin = await adminKey(w, "team-hooks-admin", "team");
});
afterAll(async () => {
  await worker.stop();
  await receiver.close();
  await api.close();
});

async function addEndpoint(path: string, events?: string[] | null) {
  const answer = await api.call("/api/v1/webhooks", {
    key: admin,
    body: { url: `${receiver.url}${path}`, description: "SIEM", ...(events !== undefined ? { events } : {}) },
  });
  expect(answer.status).toBe(201);
  const { webhook, secret } = answer.body as unknown as { webhook: { id: string }; secret: string };
  receiver.setSecret(secret);
  return { id: webhook.id, secret };
}

describe("rules 28–29: signed webhooks from a transactional outbox", () => {
  it("announces a change with the audit event as data, verified by a Standard Webhooks receiver", async () => {
    const endpoint = await addEndpoint("/all");
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    // The answer held the secret once; listing never shows it.
    const listed = await api.call("/api/v1/webhooks", { key: admin });
    expect(listed.text).not.toContain(endpoint.secret);
    expect(listed.body.webhooks).toEqual([
      expect.objectContaining({ id: endpoint.id, events: null, status: "active", description: "SIEM" }),
    ]);

    const created = await api.call("/api/v1/service-accounts", {
      key: admin,
      body: { name: "announced-sa", scope: "team", team: w.alpha.slug },
    });
    expect(created.status).toBe(201);
    await receiver.waitFor((all) => all.some((r) => r.body?.type === "service_account.created"));
    const delivery = receiver.received.find((r) => r.body?.type === "service_account.created")!;
    expect(delivery.verified).toBe(true);
    expect(delivery.id).toMatch(/^msg_/);
    // data is the audit event exactly as GET /api/v1/audit-events answers it.
    const audit = await api.call("/api/v1/audit-events?action=service_account.created", { key: admin });
    const event = (audit.body.events as { id: string }[]).find((e) => e.id === delivery.body!.data.id);
    expect(delivery.body!.data).toEqual(event);
    expect(delivery.body!.timestamp).toBe((event as unknown as { time: string }).time);
    // Its own creation was announced to it too, and nothing carries a secret.
    expect(receiver.received.some((r) => r.body?.type === "webhook.created")).toBe(true);
    expect(JSON.stringify(receiver.received.map((r) => r.body))).not.toMatch(/whsec_|dpt_[0-9A-Za-z]{12}_/);

    const log = await api.call(`/api/v1/webhooks/${endpoint.id}/deliveries`, { key: admin });
    expect(log.body.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: delivery.id,
          type: "service_account.created",
          status: "delivered",
          attempts: 1,
          lastResponseStatus: 204,
        }),
      ]),
    );
    await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin, method: "DELETE" });
  });

  it("writes deliveries only with the change: a rolled-back transaction announces nothing", async () => {
    const endpoint = await addEndpoint("/atomic");
    const before = await db.webhookDelivery.count({ where: { endpointId: endpoint.id } });
    await expect(
      db.$transaction(async (tx) => {
        await recordAudit(tx, {
          orgId: w.org.id,
          actor: { type: "SYSTEM", identity: "system" },
          action: "org.settings_changed",
        });
        expect(await tx.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(before + 1);
        throw new Error("the change fails");
      }),
    ).rejects.toThrow("the change fails");
    expect(await db.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(before);
    await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin, method: "DELETE" });
  });

  it("sends only the subscribed types, and the test event only where it is sent", async () => {
    const endpoint = await addEndpoint("/keys", ["api_key.created"]);
    const start = receiver.received.length;
    const account = await api.call("/api/v1/service-accounts", {
      key: admin,
      body: { name: "filtered-sa", scope: "team", team: w.alpha.slug },
    });
    const id = (account.body.serviceAccount as { id: string }).id;
    await api.call(`/api/v1/service-accounts/${id}/keys`, { key: admin, body: { name: "ci" } });
    const test = await api.call(`/api/v1/webhooks/${endpoint.id}/test`, { key: admin, method: "POST" });
    expect(test.status).toBe(202);
    await receiver.waitFor((all) => all.slice(start).some((r) => r.body?.type === "webhook.test"));
    await receiver.waitFor((all) => all.slice(start).some((r) => r.body?.type === "api_key.created"));
    const types = await db.webhookDelivery.findMany({
      where: { endpointId: endpoint.id },
      select: { type: true },
    });
    expect(types.map((t) => t.type).sort()).toEqual(["api_key.created", "webhook.test"]);
    await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin, method: "DELETE" });
  });

  it("retries a failure, keeps each attempt (at most 1 KB of the answer), and Resend sends the same id again", async () => {
    const endpoint = await addEndpoint("/flaky", ["webhook.test"]);
    let calls = 0;
    receiver.answerWith(() => (++calls === 1 ? { status: 500, body: "x".repeat(10_000) } : { status: 200 }));
    const test = await api.call(`/api/v1/webhooks/${endpoint.id}/test`, { key: admin, method: "POST" });
    const deliveryId = (test.body.delivery as { id: string }).id;
    await receiver.waitFor((all) => all.filter((r) => r.id === deliveryId).length >= 2);
    const poll = async () => {
      for (;;) {
        const row = await db.webhookDelivery.findUniqueOrThrow({
          where: { id: deliveryId },
          include: { attemptLog: true },
        });
        if (row.status !== "pending") return row;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const row = await poll();
    expect([row.status, row.attempts, row.lastResponseStatus]).toEqual(["delivered", 2, 200]);
    const failed = row.attemptLog.find((a) => a.responseStatus === 500)!;
    expect(failed.responseBody).toHaveLength(1024);
    // Resend: the same webhook-id, due again.
    receiver.answerWith(() => ({ status: 204 }));
    const resent = await api.call(`/api/v1/webhooks/${endpoint.id}/deliveries/${deliveryId}/resend`, {
      key: admin,
      method: "POST",
    });
    expect(resent.status).toBe(202);
    await receiver.waitFor((all) => all.filter((r) => r.id === deliveryId).length >= 3);
    expect(receiver.received.filter((r) => r.id === deliveryId).every((r) => r.verified)).toBe(true);
    await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin, method: "DELETE" });
  });

  it("sends each delivery once while several workers claim at the same time, and records a batch's mixed answers", async () => {
    const endpoint = await addEndpoint("/race", ["webhook.test"]);
    // Every third delivery fails once: a batch holds successes and failures together.
    const seen = new Map<string, number>();
    receiver.answerWith((r) => {
      const n = (seen.get(r.id) ?? 0) + 1;
      seen.set(r.id, n);
      return n === 1 && [...seen.keys()].indexOf(r.id) % 3 === 0 ? { status: 503 } : { status: 204 };
    });
    const ids = await db.$transaction(async (tx) => {
      const all: string[] = [];
      for (let i = 0; i < 48; i++)
        all.push(
          ...(await enqueueWebhookEvent(
            tx,
            w.org.id,
            "webhook.test",
            { i },
            { onlyEndpointId: endpoint.id },
          )),
        );
      return all;
    });
    // Two more workers beside the suite's own, each claiming in batches of 8.
    const racers = [1, 2].map(
      () => new WebhookWorker({ pollMs: 10, retryDelaysMs: [50, 50], allowPrivate: true, timeoutMs: 1000 }),
    );
    await Promise.all(racers.map((r) => r.runOnce()));
    racers.forEach((r) => r.start());
    const rows = async () =>
      db.webhookDelivery.findMany({ where: { id: { in: ids } }, include: { attemptLog: true } });
    for (let tries = 0; (await rows()).some((d) => d.status !== "delivered"); tries++) {
      expect(tries).toBeLessThan(500);
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(racers.map((r) => r.stop()));
    for (const row of await rows()) {
      const failedFirst = row.attemptLog.some((a) => a.responseStatus === 503);
      // Claimed by one worker at a time: one attempt per delivery, two when the first failed.
      expect([row.attempts, row.attemptLog.length, seen.get(row.id)]).toEqual(
        failedFirst ? [2, 2, 2] : [1, 1, 1],
      );
      expect(row.lastResponseStatus).toBe(204);
    }
    expect([...seen.keys()].filter((id) => ids.includes(id))).toHaveLength(48);
    expect(receiver.received.filter((r) => ids.includes(r.id)).every((r) => r.verified)).toBe(true);
    const endpointRow = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect([endpointRow.status, endpointRow.failingSince]).toEqual(["active", null]);
    receiver.answerWith(() => ({ status: 204 }));
    await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin, method: "DELETE" });
  });

  it("does not follow redirects, gives up after the last retry, and disables an endpoint failing for 24 h", async () => {
    const endpoint = await addEndpoint("/moved", ["webhook.test"]);
    receiver.answerWith(() => ({ status: 302, headers: { location: "http://127.0.0.1:9/elsewhere" } }));
    const test = await api.call(`/api/v1/webhooks/${endpoint.id}/test`, { key: admin, method: "POST" });
    const deliveryId = (test.body.delivery as { id: string }).id;
    for (;;) {
      const row = await db.webhookDelivery.findUniqueOrThrow({ where: { id: deliveryId } });
      if (row.status === "failed") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const attempts = await db.webhookAttempt.findMany({ where: { deliveryId } });
    // One attempt and two retries (the test worker's schedule), each a 302 not followed.
    expect(attempts.map((a) => a.responseStatus)).toEqual([302, 302, 302]);
    expect(attempts[0]!.responseBody).toContain("redirect not followed");

    // Failing since 25 h ago: the next failure disables it, audited as the system.
    await db.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { failingSince: new Date(Date.now() - 25 * 3_600_000) },
    });
    await api.call(`/api/v1/webhooks/${endpoint.id}/test`, { key: admin, method: "POST" });
    for (;;) {
      const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
      if (row.status === "disabled") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const got = await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin });
    expect(got.body.webhook).toMatchObject({
      status: "disabled",
      disabledReason: "Every delivery failed for 24 hours.",
    });
    const audit = await db.auditEvent.findFirst({
      where: { action: "webhook.disabled", targetId: endpoint.id },
    });
    expect(audit).toMatchObject({ actorType: "SYSTEM", actorIdentity: "system" });
    // A disabled endpoint gets no test event; Enable clears the failure.
    expect(
      (await api.call(`/api/v1/webhooks/${endpoint.id}/test`, { key: admin, method: "POST" })).status,
    ).toBe(409);
    const enabled = await api.call(`/api/v1/webhooks/${endpoint.id}`, {
      key: admin,
      method: "PATCH",
      body: { status: "active" },
    });
    expect(enabled.body.webhook).toMatchObject({
      status: "active",
      failingSince: null,
      disabledReason: null,
    });
    receiver.answerWith(() => ({ status: 204 }));
    await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin, method: "DELETE" });
  });

  it("a slow receiver or a huge answer changes nothing but that attempt", async () => {
    const url = `${receiver.url}/slow`;
    receiver.answerWith(() => ({ status: 200, delayMs: 400 }));
    const slow = await sendAttempt(url, {}, "{}", { allowPrivate: true, timeoutMs: 100 });
    expect(slow).toMatchObject({ ok: false, error: "No answer within 0.1 s." });
    receiver.answerWith(() => ({ status: 200, body: "y".repeat(5_000_000) }));
    const huge = await sendAttempt(url, {}, "{}", { allowPrivate: true });
    expect(huge.ok).toBe(true);
    expect(huge.body).toHaveLength(1024);
    receiver.answerWith(() => ({ status: 204 }));
  });

  it("refuses URLs and event types with words that say why", async () => {
    const cases: [unknown, RegExp][] = [
      [{ url: "ftp://hooks.example.com/x" }, /https:\/\//],
      [{ url: "https://user:pw@hooks.example.com/x" }, /credentials/],
      [{ url: `https://hooks.example.com/${"a".repeat(2100)}` }, /2048 characters/],
      [{ url: "not a url" }, /receiver's URL/],
      [
        { url: `${receiver.url}/x`, events: ["api_key.created", "no.such_event"] },
        /Unknown event type "no.such_event"/,
      ],
      [{ url: `${receiver.url}/x`, events: [] }, /at least one event type/],
      [{ url: `${receiver.url}/x`, secret: "whsec_mine" }, /secret/],
    ];
    for (const [body, message] of cases) {
      const answer = await api.call("/api/v1/webhooks", { key: admin, body });
      expect([answer.status, answer.body.error?.code], JSON.stringify(body)).toEqual([
        400,
        "invalid_request",
      ]);
      expect(answer.body.error?.message).toMatch(message);
    }
    // Without DEPUTY_ALLOW_PRIVATE_WEBHOOKS a loopback receiver is refused, on every attempt.
    const refused = await sendAttempt(`${receiver.url}/x`, {}, "{}", { allowPrivate: false });
    expect(refused).toMatchObject({ ok: false });
    expect(refused.error).toMatch(/Use an https:\/\/ URL/);
    const privateHttps = await sendAttempt("https://127.0.0.1:1/x", {}, "{}", { allowPrivate: false });
    expect(privateHttps.error).toMatch(
      /resolves to a private address \(127\.0\.0\.1\).*DEPUTY_ALLOW_PRIVATE_WEBHOOKS=1/,
    );
  });

  it("keeps each org's endpoints its own, and only org-scoped ADMIN accounts manage them", async () => {
    const endpoint = await addEndpoint("/private", ["webhook.test"]);
    for (const [method, path] of [
      ["GET", `/api/v1/webhooks/${endpoint.id}`],
      ["PATCH", `/api/v1/webhooks/${endpoint.id}`],
      ["DELETE", `/api/v1/webhooks/${endpoint.id}`],
      ["GET", `/api/v1/webhooks/${endpoint.id}/deliveries`],
      ["POST", `/api/v1/webhooks/${endpoint.id}/test`],
    ] as const) {
      const answer = await api.call(path, {
        key: otherAdmin,
        method,
        ...(method === "PATCH" ? { body: { status: "disabled" } } : {}),
      });
      expect([method, path, answer.status]).toEqual([method, path, 404]);
    }
    expect((await api.call("/api/v1/webhooks", { key: otherAdmin })).body.webhooks).toEqual([]);
    expect((await api.call("/api/v1/webhooks", { key: teamAdmin })).status).toBe(403);
    expect(
      (await api.call("/api/v1/webhooks", { key: teamAdmin, body: { url: `${receiver.url}/x` } })).status,
    ).toBe(403);
    // A person of another org through the domain: not found.
    const refused = await createWebhook(other.as.orgAdmin, w.org.slug, { url: `${receiver.url}/x` }).catch(
      (error: { code?: string }) => error,
    );
    expect(["FORBIDDEN", "NOT_FOUND"]).toContain((refused as { code?: string }).code);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).status).toBe(
      "active",
    );
    await api.call(`/api/v1/webhooks/${endpoint.id}`, { key: admin, method: "DELETE" });
  });
});

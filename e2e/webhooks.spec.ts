// Webhooks (rules 28–29) as people and receivers meet them: an org admin adds an endpoint in the
// console, copies the once-only secret, sends a test event that a Standard Webhooks receiver
// verifies, resends it, disables, enables and deletes it; and a crash in the middle of a burst of
// changes loses no announcement.
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";
import { expectAccessible } from "./support/axe";
import { E2E_ENGINE, freshE2eDatabase } from "./support/database";
import { startOwnServer } from "./support/server";
import { startReceiver } from "../tests/support/webhook-receiver";

test.describe("[WEBHOOKS]", () => {
  test("[WEBHOOKS][CONSOLE] add an endpoint, verify a test event, resend, disable, enable, delete", async ({
    page,
  }) => {
    const receiver = await startReceiver();
    try {
      await signIn(page, "org-admin@acme.test");
      await page.goto("/org/acme/webhooks");
      await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
      await page.getByRole("button", { name: "Add endpoint" }).click();
      const dialog = page.getByRole("dialog", { name: "Add endpoint" });
      const path = `/e2e-${unique()}`;
      // Refusals say why and add nothing.
      await dialog.getByLabel("URL").fill("ftp://hooks.example.com/x");
      await dialog.getByRole("button", { name: "Add" }).click();
      await expect(dialog.getByText("Use an https:// URL.")).toBeVisible();
      await dialog.getByLabel("URL").fill(`${receiver.url}${path}`);
      await dialog.getByLabel("Description").fill("SIEM");
      await dialog.getByLabel("Only these events").check();
      await dialog.getByLabel("Find an event type").fill("webhook.");
      await dialog.getByLabel("webhook.test").check();
      await dialog.getByLabel("Find an event type").fill("service_account.created");
      await dialog.getByLabel("service_account.created").check();
      await expect(dialog.getByText("2 event types chosen")).toBeVisible();
      await expectAccessible(page, "Add endpoint dialog");
      await dialog.getByRole("button", { name: "Add" }).click();

      const reveal = page.getByRole("dialog", { name: "Copy your signing secret" });
      const secret = await reveal.getByLabel("Signing secret").inputValue();
      expect(secret).toMatch(/^whsec_/);
      receiver.setSecret(secret);
      await expect(reveal.getByRole("button", { name: "Copy signing secret" })).toBeVisible();
      await expectAccessible(page, "Signing secret reveal");
      await reveal.getByRole("button", { name: "Done" }).click();
      // The page never shows the secret again.
      await expect(page.getByRole("link", { name: `${receiver.url}${path}` })).toBeVisible();
      expect(await page.content()).not.toContain(secret);
      // Next streams the title in after a refresh: wait for it, as a person's screen reader would.
      await expect(page).toHaveTitle(/Webhooks/);
      await expectAccessible(page, "Webhooks tab");

      await page.getByRole("link", { name: `${receiver.url}${path}` }).click();
      await page.getByRole("button", { name: "Send test event" }).click();
      await expect(page.getByRole("status")).toContainText("queued");
      await receiver.waitFor((all) => all.some((r) => r.body?.type === "webhook.test"));
      const test1 = receiver.received.find((r) => r.body?.type === "webhook.test")!;
      expect(test1.verified).toBe(true);
      await expect(async () => {
        await page.reload();
        await expect(page.getByRole("row", { name: /webhook\.test/ })).toContainText("Delivered");
      }).toPass({ timeout: 10_000 });
      await expectAccessible(page, "Webhook endpoint page");

      await page.getByRole("button", { name: new RegExp(`Resend webhook\\.test ${test1.id}`) }).click();
      await receiver.waitFor((all) => all.filter((r) => r.id === test1.id).length === 2);
      expect(receiver.received.filter((r) => r.id === test1.id).every((r) => r.verified)).toBe(true);

      await page.getByRole("button", { name: "Disable" }).click();
      await expect(page.getByText(/Disabled — Disabled by org-admin@acme\.test/)).toBeVisible();
      await expect(page.getByRole("button", { name: "Send test event" })).toBeDisabled();
      await page.getByRole("button", { name: "Enable" }).click();
      await expect(page.getByRole("button", { name: "Send test event" })).toBeEnabled();
      await page.getByRole("button", { name: "Delete" }).click();
      await page
        .getByRole("dialog", { name: "Delete endpoint" })
        .getByRole("button", { name: "Delete" })
        .click();
      await expect(page).toHaveURL(/\/org\/acme\/webhooks$/);
      await expect(page.getByRole("link", { name: `${receiver.url}${path}` })).toHaveCount(0);
    } finally {
      await receiver.close();
    }
  });

  test("[WEBHOOKS][CRASH] kill -9 mid-delivery: after a restart every announced change arrives, same ids", async ({
    page,
    request,
  }) => {
    test.setTimeout(240_000);
    const receiver = await startReceiver();
    // A slow receiver: the crash lands while most deliveries are still waiting.
    receiver.answerWith(() => ({ status: 204, delayMs: 150 }));
    const databaseUrl = await freshE2eDatabase("webhook-crash");
    const env = { DEPUTY_ALLOW_PRIVATE_WEBHOOKS: "1" };
    let server = await startOwnServer({ port: 3106, databaseUrl, env: { ...env, DEPUTY_DEMO: "1" } });
    try {
      await signIn(page, "org-admin@acme.test", undefined, `${server.url}/login`);
      await page.goto(`${server.url}/org/acme/service-accounts`);
      const key = await newAccountWithKey(page, `hooks-${unique()}`, {
        role: "ADMIN",
        defaultTeam: "ml-team",
      });
      const auth = { authorization: `Bearer ${key}` };
      const added = await request.post(`${server.url}/api/v1/webhooks`, {
        headers: auth,
        data: { url: `${receiver.url}/crash`, events: ["service_account.created"] },
      });
      expect(added.status()).toBe(201);
      receiver.setSecret(((await added.json()) as { secret: string }).secret);

      const created: string[] = [];
      for (let i = 0; i < 30; i++) {
        const answer = await request.post(`${server.url}/api/v1/service-accounts`, {
          headers: auth,
          data: { name: `burst-${i}`, scope: "team", team: "ml-team" },
        });
        expect(answer.status()).toBe(201);
        created.push(((await answer.json()) as { serviceAccount: { id: string } }).serviceAccount.id);
      }
      await receiver.waitFor((all) => all.length >= 3);
      await server.crash();
      const beforeRestart = new Set(receiver.received.map((r) => r.id)).size;
      expect(beforeRestart).toBeLessThan(30);

      server = await startOwnServer({ port: 3106, databaseUrl, env });
      receiver.answerWith(() => ({ status: 204 }));
      // The claims of the killed process lapse within their lease (15 s); then all are sent.
      await receiver.waitFor(
        (all) =>
          new Set(
            all
              .filter((r) => r.verified)
              .map((r) => r.body?.data.target as { id: string } | undefined)
              .map((t) => t?.id),
          ).size >= 30,
        60_000,
      );
      const announced = new Set(
        receiver.received.filter((r) => r.verified).map((r) => (r.body!.data.target as { id: string }).id),
      );
      for (const id of created) expect(announced.has(id), id).toBe(true);
      // At least once: a repeat carries the same webhook-id as the first attempt.
      const idsByTarget = new Map<string, Set<string>>();
      for (const r of receiver.received) {
        const target = (r.body?.data.target as { id: string }).id;
        idsByTarget.set(target, (idsByTarget.get(target) ?? new Set()).add(r.id));
      }
      for (const ids of idsByTarget.values()) expect(ids.size).toBe(1);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });

  test("[WEBHOOKS][JOBS] two instances: each expiry notice once, and the jobs go on when one is killed", async ({
    page,
    request,
  }) => {
    test.skip(E2E_ENGINE !== "postgresql", "On SQLite there is one process: no lock to hand over.");
    test.setTimeout(240_000);
    const receiver = await startReceiver();
    const databaseUrl = await freshE2eDatabase("jobs-two");
    const env = { DEPUTY_ALLOW_PRIVATE_WEBHOOKS: "1", DEPUTY_JOBS_INTERVAL: "1" };
    const a = await startOwnServer({ port: 3107, databaseUrl, env: { ...env, DEPUTY_DEMO: "1" } });
    let b = await startOwnServer({ port: 3108, databaseUrl, env });
    try {
      await signIn(page, "org-admin@acme.test", undefined, `${a.url}/login`);
      await page.goto(`${a.url}/org/acme/service-accounts`);
      const key = await newAccountWithKey(page, `jobs-${unique()}`, {
        role: "ADMIN",
        defaultTeam: "ml-team",
      });
      const auth = { authorization: `Bearer ${key}` };
      const added = await request.post(`${a.url}/api/v1/webhooks`, {
        headers: auth,
        data: { url: `${receiver.url}/notices`, events: ["api_key.expiring"] },
      });
      receiver.setSecret(((await added.json()) as { secret: string }).secret);
      const expiringKey = async (base: string, name: string) => {
        const account = await request.post(`${base}/api/v1/service-accounts`, {
          headers: auth,
          data: { name, scope: "team", team: "ml-team" },
        });
        const id = ((await account.json()) as { serviceAccount: { id: string } }).serviceAccount.id;
        const created = await request.post(`${base}/api/v1/service-accounts/${id}/keys`, {
          headers: auth,
          data: { name: "ci", expiresInDays: 5 },
        });
        return ((await created.json()) as { key: { id: string } }).key.id;
      };
      const notices = (keyId: string) =>
        receiver.received.filter(
          (r) => r.verified && (r.body?.data.key as { id: string } | undefined)?.id === keyId,
        ).length;
      const first = await expiringKey(a.url, `expiring-${unique()}`);
      await receiver.waitFor(() => notices(first) >= 1, 20_000);
      // Both instances run a round every second; a few more rounds send nothing again.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(notices(first)).toBe(1);

      // Kill one instance: the other runs the next rounds (its lock attempt now succeeds).
      await b.crash();
      const second = await expiringKey(a.url, `expiring-${unique()}`);
      await receiver.waitFor(() => notices(second) >= 1, 20_000);
      b = await startOwnServer({ port: 3108, databaseUrl, env });
      await a.crash();
      const thirdId = await expiringKey(b.url, `expiring-${unique()}`);
      await receiver.waitFor(() => notices(thirdId) >= 1, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect([notices(first), notices(second), notices(thirdId)]).toEqual([1, 1, 1]);
    } finally {
      await a.stop().catch(() => undefined);
      await b.stop().catch(() => undefined);
      await receiver.close();
    }
  });
});

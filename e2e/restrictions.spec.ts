// Rule 24 in the browser: a key made read-only, for one project, from one network, in the Create
// API key dialog; its row says so in words; the API holds it to exactly that.
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";
import { sql } from "./support/database";
import { expectAccessible } from "./support/axe";

test.describe("[RESTRICTIONS]", () => {
  test("[RESTRICTIONS][KEY] a read-only key for one project from one network does exactly that", async ({
    page,
    request,
  }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `restricted-${unique()}`;
    await page.getByRole("button", { name: "New service account" }).click();
    const created = page.getByRole("dialog", { name: "New service account" });
    await created.getByLabel("Name", { exact: true }).fill(name);
    await created.getByRole("button", { name: "Create" }).click();
    await created.getByRole("button", { name: "Create API key" }).click();

    const form = page.getByRole("dialog", { name: "Create API key" });
    await form.getByLabel("API key name").fill("reader");
    await form.getByLabel("Permission").selectOption({ label: "Read only" });
    await form.getByLabel("Only these projects").check();
    await form.getByLabel("Find a project").fill("production");
    await form.getByLabel("ml-team/production-models").check();
    // The account is team-scoped: another team's TEAM project is not offered.
    await form.getByLabel("Find a project").fill("");
    await expect(form.getByLabel("ml-team/production-models")).toBeChecked();
    await expect(form.getByLabel("research/private-notes")).toHaveCount(0);
    await expect(form.getByText("1 project chosen")).toBeVisible();
    await expectAccessible(page, "Create API key with restrictions");

    // A malformed range is named under its field, and nothing is created.
    await form.getByLabel("Allowed IP ranges").fill("10.0.0.0/33");
    await form.getByRole("button", { name: "Create" }).click();
    await expect(form.getByText(/"10\.0\.0\.0\/33" is not an IP range/)).toBeVisible();

    await form.getByLabel("Allowed IP ranges").fill("127.0.0.1\n10.1.2.3/8");
    await form.getByRole("button", { name: "Create" }).click();
    const reveal = page.getByRole("dialog", { name: "Copy your API key" });
    const key = await reveal.getByLabel("API key").inputValue();
    await reveal.getByRole("button", { name: "Done" }).click();

    // Straight to its page: the list pages by 20 by name, and the suite has made more than that.
    await page.goto(`/ml-team/service-accounts/${name}`);
    await expect(
      page.getByRole("cell", { name: "Read only · 1 project · 127.0.0.1/32, 10.0.0.0/8" }),
    ).toBeVisible();

    // "Why?" asked about this key: its restrictions narrow what the account may do.
    const access = page.getByRole("table", { name: "Project access" });
    await expect(access.getByRole("row", { name: /ml-team\/production-models/ })).toContainText("Yes");
    await page.getByLabel("Ask about").selectOption({ label: `Key reader (dpt_…${key.slice(-4)})` });
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/\?key=/);
    const own = access.getByRole("row", { name: /ml-team\/production-models/ });
    await expect(own.getByRole("cell").nth(2)).toHaveText("Yes");
    await expect(own.getByRole("cell").nth(3)).toHaveText("No");
    await expect(own).toContainText("key reader is read-only");
    await expect(access.getByRole("row", { name: /research\/shared-bench/ })).toContainText(
      "key reader is limited to other projects",
    );
    await expectAccessible(page, "Why? asked about one key");

    const auth = { authorization: `Bearer ${key}` };
    const viewer = await request.get("/api/v1/viewer", { headers: auth });
    expect(
      ((await viewer.json()) as { credential: { restrictions: unknown } }).credential.restrictions,
    ).toEqual({
      permission: "read",
      projects: ["ml-team/production-models"],
      allowedIps: ["127.0.0.1/32", "10.0.0.0/8"],
    });
    expect(
      (await request.get("/api/v1/projects/ml-team/production-models/runs", { headers: auth })).status(),
    ).toBe(200);
    const write = await request.post("/api/v1/runs", {
      headers: auth,
      data: { project: "production-models" },
    });
    expect([write.status(), ((await write.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      "scope_denied",
    ]);
    const other = await request.get("/api/v1/projects/research/shared-bench/runs", { headers: auth });
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("scope_denied");
  });
});

test.describe("[RIGHT_SIZING]", () => {
  test("[RIGHT_SIZING][RESTRICT] Restrict proposes what a week of use needed and applies it in one step", async ({
    page,
    request,
  }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `trainer-${unique()}`;
    const key = await newAccountWithKey(page, name);
    const keyId = key.split("_")[1]!;
    const [row] = await sql<{ id: string; serviceAccountId: string }>(
      "demo",
      `SELECT id, "serviceAccountId" FROM "ApiKey" WHERE "keyId" = $1`,
      [keyId],
    );
    // A week of use as the last-used batch keeps it: writes to one project from one address.
    for (let d = 0; d < 7; d++) {
      const day = new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
      await sql(
        "demo",
        `INSERT INTO "ApiKeyUsageDay" ("apiKeyId", "serviceAccountId", day, requests) VALUES ($1, $2, $3, 12)`,
        [row!.id, row!.serviceAccountId, day],
      );
      for (const [kind, value] of [
        ["write", "ml-team/production-models"],
        ["address", "127.0.0.1/32"],
      ]) {
        await sql(
          "demo",
          `INSERT INTO "ApiKeyUseFact" ("apiKeyId", day, kind, value) VALUES ($1, $2, $3, $4)`,
          [row!.id, day, kind, value],
        );
      }
    }

    await page.goto(`/ml-team/service-accounts/${name}`);
    await page.getByRole("button", { name: "Restrict e2e" }).click();
    const dialog = page.getByRole("dialog", { name: "Restrict e2e" });
    await expect(dialog.getByTestId("key-use")).toHaveText(
      "Wrote runs to ml-team/production-models on 7 days; read nothing else; from 127.0.0.1 (84 requests on 7 days of the last 30).",
    );
    await expect(dialog.getByLabel("Only these projects")).toBeChecked();
    await expect(dialog.getByLabel("ml-team/production-models")).toBeChecked();
    await expect(dialog.getByLabel("Allowed IP ranges")).toHaveValue("127.0.0.1/32");
    await expect(dialog.getByText(/Suggested: narrow its projects and its IP ranges/)).toBeVisible();
    await expectAccessible(page, "Restrict dialog");
    await dialog.getByRole("button", { name: "Apply restrictions" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("cell", { name: "1 project · 127.0.0.1/32" })).toBeVisible();

    // The API holds the key to it: its project works, another is refused and says why.
    const auth = { authorization: `Bearer ${key}` };
    expect(
      (
        await request.post("/api/v1/runs", { headers: auth, data: { project: "production-models" } })
      ).status(),
    ).toBe(201);
    const other = await request.get("/api/v1/projects/research/shared-bench/runs", { headers: auth });
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("scope_denied");

    // The change is in the audit log, made by the person.
    const [audit] = await sql<{ action: string; actorIdentity: string }>(
      "demo",
      `SELECT action, "actorIdentity" FROM "AuditEvent" WHERE action = 'api_key.restrictions_changed' AND "targetName" LIKE $1`,
      [`${name}@%`],
    );
    expect(audit).toEqual({ action: "api_key.restrictions_changed", actorIdentity: "team-admin@acme.test" });
  });
});

// The credential lifecycle and the audit log in the browser, against the production server:
// Rotate with a grace period, the Audit log tab's filters, paging and export, Report leaked keys,
// the account page's banner and the Org Dashboard's Attention list. axe on each new dialog.
import fs from "node:fs";
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";
import { expectAccessible } from "./support/axe";

test.describe("[LIFECYCLE]", () => {
  test("[LIFECYCLE][ROTATE] rotate with a 24-hour grace: new key once, old key keeps working and says so", async ({
    page,
    request,
  }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `rotating-${unique()}`;
    const oldKey = await newAccountWithKey(page, name);
    await page.goto(`/ml-team/service-accounts/${name}`);
    await page.getByRole("button", { name: "Rotate e2e" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate e2e" });
    await expectAccessible(page, "Rotate dialog");
    await dialog.getByRole("radio", { name: "24 hours" }).check();
    await dialog.getByRole("button", { name: "Rotate" }).click();
    const reveal = page.getByRole("dialog", { name: "Copy your API key" });
    await expect(reveal.getByText("You won't be able to see this key again")).toBeVisible();
    const newKey = await reveal.getByLabel("API key").inputValue();
    expect(newKey).toMatch(/^dpt_/);
    expect(newKey).not.toBe(oldKey);
    await reveal.getByRole("button", { name: "Done" }).click();
    await expect(page.getByRole("cell", { name: /Replaced — stops working in 2[34] h/ })).toBeVisible();
    for (const key of [oldKey, newKey]) {
      const viewer = await request.get("/api/v1/viewer", { headers: { authorization: `Bearer ${key}` } });
      expect(viewer.status()).toBe(200);
    }
    await expect(page.getByText("api_key.rotated")).toBeVisible();
  });

  test("[LIFECYCLE][AUDIT] filter the audit log by actor type, page through it, and export what is shown", async ({
    page,
    request,
  }) => {
    await signIn(page, "org-admin@acme.test");
    // Automation does something worth auditing: its run creates a project.
    await page.goto("/ml-team/service-accounts");
    const key = await newAccountWithKey(page, `auditor-${unique()}`);
    const run = await request.post("/api/v1/runs", {
      headers: { authorization: `Bearer ${key}` },
      data: { project: `audit-${unique()}` },
    });
    expect(run.status()).toBe(201);
    await page.goto("/org/acme/audit-log");
    await expectAccessible(page, "Audit log tab");
    // A select applies itself (issue 21); Apply is for the text fields.
    await page.getByLabel("Actor type").selectOption("service_account");
    await expect(page).toHaveURL(/actorType=service_account/);
    const rows = page.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    const actorCells = await rows.locator("td:nth-child(2) span.text-xs").allTextContents();
    expect(actorCells.length).toBeGreaterThan(0);
    expect(new Set(actorCells)).toEqual(new Set(["Service account"]));

    await page.getByLabel("Actor type").selectOption("all");
    await expect(page).toHaveURL(/actorType=all/);
    await page.getByLabel("Action").selectOption("service_account.created");
    await expect(page).toHaveURL(/action=service_account.created/);
    // Each event reads as a sentence, its machine name beside it, its metadata behind a disclosure.
    await expect(rows.first().getByText(/^Created service account /)).toBeVisible();
    await expect(rows.first().locator("code", { hasText: "service_account.created" })).toBeVisible();
    await expect(rows.first().locator("pre")).toBeHidden();
    await rows.first().getByText("Metadata").click();
    await expect(rows.first().locator("pre")).toContainText('"scope"');
    await page.getByLabel("Search").fill("auditor-");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/q=auditor-/);
    await expect(rows.first()).toContainText("auditor-");
    const older = page.getByRole("link", { name: "Older events" });
    if (await older.isVisible()) {
      const firstPage = await rows.first().textContent();
      await older.click();
      await expect(page).toHaveURL(/cursor=/);
      expect(await rows.first().textContent()).not.toBe(firstPage);
      await page.getByRole("link", { name: "Newest events" }).click();
    }

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const lines = fs.readFileSync(file, "utf8").trim().split("\r\n");
    expect(lines[0]).toBe("time,actorType,actor,action,targetType,target,metadata,ip,userAgent");
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((line) => line.includes(",service_account.created,"))).toBe(true);

    const jsonl = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export JSON Lines" }).click();
    const events = fs
      .readFileSync(await (await jsonl).path(), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string });
    expect(events.length).toBe(lines.length - 1);
    expect(events.every((e) => e.action === "service_account.created")).toBe(true);
  });

  test("[LIFECYCLE][LEAKED] report a leaked key: revoked at once, on the Attention list, a banner until acknowledged", async ({
    page,
    request,
  }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/service-accounts");
    const name = `leaky-${unique()}`;
    const key = await newAccountWithKey(page, name, { defaultTeam: "ml-team" });
    await page.getByRole("button", { name: "Report leaked keys" }).click();
    const dialog = page.getByRole("dialog", { name: "Report leaked keys" });
    await expectAccessible(page, "Report leaked keys dialog");
    await dialog.getByLabel("Leaked keys").fill(`${key}\ndpt_definitely_not_a_key`);
    await dialog.getByRole("button", { name: "Revoke leaked keys" }).click();
    const results = dialog.getByRole("list", { name: "Results" });
    await expect(results).toContainText(`…${key.slice(-4)}: Revoked now and marked leaked`);
    await expect(results).toContainText("Not a key of this organization: nothing changed");
    await expect(results).not.toContainText(key);
    await dialog.getByRole("button", { name: "Done" }).click();
    const viewer = await request.get("/api/v1/viewer", { headers: { authorization: `Bearer ${key}` } });
    expect(viewer.status()).toBe(401);

    await page.reload();
    const attention = page.getByRole("list", { name: "Needs attention" });
    await expect(attention).toContainText(`${name}: key e2e`);
    await expect(attention).toContainText("was reported as leaked and revoked");
    await page.goto(`/org/acme/service-accounts/${name}`);
    const banner = page.getByRole("alert").filter({ hasText: "reported as leaked" });
    await expect(banner).toBeVisible();
    await expect(page.getByRole("cell", { name: "Leaked — revoked" })).toBeVisible();
    await expectAccessible(page, "account page with a leak banner");
    await banner.getByRole("button", { name: "Acknowledge" }).click();
    await expect(banner).toBeHidden();
  });
});

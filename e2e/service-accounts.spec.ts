import { expect, signIn, test, unique, type Page } from "./fixtures";
import { GITHUB_ISSUER, ensureDemoIssuer } from "./support/database";

async function createAccount(
  page: Page,
  options: { name: string; defaultTeam?: string; federated?: boolean; role?: string },
) {
  await page.getByRole("button", { name: "New service account" }).click();
  const dialog = page.getByRole("dialog", { name: "New service account" });
  await dialog.getByLabel("Name", { exact: true }).fill(options.name);
  await dialog.getByLabel("Description").fill("Created by a browser test");
  if (options.defaultTeam) await dialog.getByLabel("Default team").selectOption(options.defaultTeam);
  if (options.role) await dialog.getByLabel("Role").selectOption(options.role);
  if (options.federated) {
    await dialog.getByRole("radio", { name: "Federated identity" }).check();
    await dialog.getByLabel("Issuer").selectOption(GITHUB_ISSUER);
    await dialog.getByLabel("Subject").fill("repo:acme/models:ref:refs/heads/main");
    await dialog.getByLabel("Audience").fill("deputy");
  }
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText(`Service account ${options.name} was created.`)).toBeVisible();
  return dialog;
}

async function revealNewKey(page: Page, keyName: string) {
  const form = page.getByRole("dialog", { name: "Create API key" });
  await form.getByLabel("API key name").fill(keyName);
  await form.getByRole("button", { name: "Create" }).click();
  const reveal = page.getByRole("dialog", { name: "Copy your API key" });
  const key = await reveal.getByLabel("API key").inputValue();
  expect(key).toMatch(/^dpt_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
  return { reveal, key };
}

const menuFor = (page: Page, name: string) => page.getByRole("button", { name: `Actions for ${name}` });

test.describe("[SERVICE_ACCOUNTS]", () => {
  test("[SERVICE_ACCOUNTS][KEY] org admin creates an org-scoped account and a key, shown once and gone after Done", async ({
    page,
    context,
  }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/service-accounts");
    const name = `nightly-retrain-${unique()}`;
    const dialog = await createAccount(page, { name, defaultTeam: "ml-team" });
    await dialog.getByRole("button", { name: "Create API key" }).click();

    const { reveal, key } = await revealNewKey(page, "github-actions");
    await expect(reveal.getByText("You won't be able to see this key again")).toBeVisible();
    await expect(reveal.getByText(`export DEPUTY_API_KEY=${key}`)).toBeVisible();
    await reveal.getByRole("button", { name: "Copy API key" }).click();
    await expect(reveal.getByText("Copied")).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await reveal.getByRole("button", { name: "Done" }).click();
    await expect(reveal).toBeHidden();

    expect(await page.content()).not.toContain(key);
    const row = page.getByRole("row", { name: new RegExp(name) });
    await expect(row.getByRole("cell", { name: "Organization", exact: true })).toBeVisible();
    await expect(row.getByRole("cell", { name: "1", exact: true })).toBeVisible();
    await page.reload();
    expect(await page.content()).not.toContain(key);

    await page.getByRole("link", { name }).click();
    await expect(page.getByText(`${name}@acme.sa.deputy.local`)).toBeVisible();
    await expect(page.getByRole("cell", { name: `dpt_…${key.slice(-4)}`, exact: true })).toBeVisible();
    // Recent activity reads as sentences, the action's machine name beneath.
    await expect(page.getByText(`Created API key github-actions (dpt_…${key.slice(-4)})`)).toBeVisible();
    await expect(page.locator("code", { hasText: "api_key.created" })).toBeVisible();
    expect(await page.content()).not.toContain(key);
  });

  test("[SERVICE_ACCOUNTS] a new account is shown first, whatever page its name sorts onto", async ({
    page,
  }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/service-accounts");
    const rows = page.getByRole("table", { name: "Service accounts" }).locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    // "zz-" sorts after every seeded account: without the pin it would be last, or on a later page.
    const name = `zz-last-${unique()}`;
    const dialog = await createAccount(page, { name, defaultTeam: "ml-team" });
    await dialog.getByRole("button", { name: "Not now" }).click();
    await expect(dialog).toBeHidden();
    await expect(
      page.getByRole("status").filter({ hasText: `Service account ${name} was created` }),
    ).toBeVisible();
    await expect(rows.first()).toContainText(name);
    await expect(rows.first()).toContainText("New");
    // Leaving the page ends it: the list is in name order again.
    await page.reload();
    await expect(rows.first()).not.toContainText(name);
  });

  test("[SERVICE_ACCOUNTS][KEY] closing the reveal asks first", async ({ page }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `ci-reveal-${unique()}`;
    const dialog = await createAccount(page, { name });
    await dialog.getByRole("button", { name: "Create API key" }).click();
    const { reveal, key } = await revealNewKey(page, "jenkins");
    await page.keyboard.press("Escape");
    await expect(reveal.getByText("You won't be able to see this key again — close anyway?")).toBeVisible();
    await reveal.getByRole("button", { name: "Keep open" }).click();
    await expect(reveal.getByLabel("API key")).toHaveValue(key);
    await page.keyboard.press("Escape");
    await reveal.getByRole("button", { name: "Close anyway" }).click();
    await expect(reveal).toBeHidden();
    expect(await page.content()).not.toContain(key);
  });

  test("[SERVICE_ACCOUNTS][TEAM] a team admin works from /<team>/service-accounts directly", async ({
    page,
  }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    await expect(page.getByRole("link", { name: "Service Accounts", exact: true })).toHaveAttribute(
      "aria-current",
      "page",
    );
    const dialog = await (async () => {
      await page.getByRole("button", { name: "New service account" }).click();
      return page.getByRole("dialog", { name: "New service account" });
    })();
    await expect(dialog.getByLabel("Default team")).toHaveCount(0);
    await dialog.getByLabel("Name", { exact: true }).fill("test-sa");
    await expect(dialog.getByText(/name the workload/)).toBeVisible();
    await dialog.getByLabel("Name", { exact: true }).fill("Bad Name");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(
      dialog.getByText("Use lowercase letters, digits and single dashes, like ci-model-training."),
    ).toBeVisible();
    const name = `ci-model-training-${unique()}`;
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    await dialog.getByRole("button", { name: "Create" }).click();
    await dialog.getByRole("button", { name: "Not now" }).click();
    await expect(page.getByRole("link", { name })).toBeVisible();
    await page.getByLabel("Search by name").fill(name);
    await expect(page.getByRole("link", { name })).toBeVisible();
    await page.getByLabel("Search by name").fill("no-such-account-anywhere");
    await expect(page.getByText("No service accounts match these filters.")).toBeVisible();
  });

  test("[SERVICE_ACCOUNTS][STATUS] disable and enable, then delete with the typed name", async ({ page }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `etl-job-${unique()}`;
    await createAccount(page, { name });
    await page
      .getByRole("dialog", { name: "New service account" })
      .getByRole("button", { name: "Not now" })
      .click();
    const row = page.getByRole("row", { name: new RegExp(name) });

    await menuFor(page, name).click();
    await page.getByRole("menuitem", { name: "Disable" }).click();
    await expect(row.getByText("Disabled")).toBeVisible();
    await menuFor(page, name).click();
    await expect(page.getByRole("menuitem", { name: "Create API key" })).toHaveAttribute("data-disabled", "");
    await page.getByRole("menuitem", { name: "Enable" }).click();
    await expect(row.getByText("Active")).toBeVisible();

    await menuFor(page, name).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete service account" });
    await expect(confirm.getByRole("button", { name: "Delete" })).toBeDisabled();
    await confirm.getByLabel(`Type ${name} to confirm`).fill(name);
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(confirm).toBeHidden();
    await expect(page.getByRole("link", { name })).toHaveCount(0);
  });

  test("[SERVICE_ACCOUNTS][FEDERATED] a federated account never offers Create API key", async ({ page }) => {
    await ensureDemoIssuer();
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `gha-deploy-${unique()}`;
    const dialog = await createAccount(page, { name, federated: true });
    await expect(dialog.getByText("Create its first API key now?")).toHaveCount(0);
    await dialog.getByRole("button", { name: "Done" }).click();
    await menuFor(page, name).click();
    await expect(page.getByRole("menuitem", { name: "Edit" })).toBeVisible();
    await expect(page.getByRole("menuitem", { name: "Create API key" })).toHaveCount(0);
    await page.keyboard.press("Escape");
    await page.getByRole("link", { name }).click();
    await expect(
      page.getByRole("definition").getByText("repo:acme/models:ref:refs/heads/main"),
    ).toBeVisible();
  });

  test("[SERVICE_ACCOUNTS][READ_ONLY] a member sees the team's accounts read-only", async ({
    page,
    browser,
  }) => {
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await signIn(admin, "team-admin@acme.test");
    await admin.goto("/ml-team/service-accounts");
    const name = `visible-to-members-${unique()}`;
    await createAccount(admin, { name });
    await adminContext.close();

    await signIn(page, "member@acme.test");
    await page.goto("/ml-team/service-accounts");
    // The list pages by 20, sorted by name: by now the suite has made more accounts than that.
    await page.getByLabel("Search by name").fill(name);
    await expect(page.getByRole("link", { name })).toBeVisible();
    await expect(page.getByRole("button", { name: "New service account" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Actions for / })).toHaveCount(0);
    await page.getByRole("link", { name }).click();
    await expect(page.getByText(`${name}@acme.sa.deputy.local`)).toBeVisible();
    await expect(page.getByRole("button", { name: /^Actions for / })).toHaveCount(0);
  });

  test("[SERVICE_ACCOUNTS][CROSS_TEAM] another team's admin can't open or manage the tab", async ({
    page,
  }) => {
    await signIn(page, "research-admin@acme.test");
    expect((await page.goto("/ml-team/service-accounts"))?.status()).toBe(403);
    expect((await page.goto("/org/acme/service-accounts"))?.status()).toBe(403);
    await page.goto("/research/service-accounts");
    await expect(page.getByRole("button", { name: "New service account" })).toBeVisible();
  });
});

// axe-core on every page and open dialog, as each role: 0 serious or critical violations.
import { EMPTY_URL, expect, signIn, test, unique, type Page } from "./fixtures";
import { expectAccessible } from "./support/axe";

async function visit(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  await expectAccessible(page, path);
}

test.describe("[A11Y]", () => {
  test("[A11Y] signed-out pages: sign-in and setup", async ({ page }) => {
    await visit(page, "/login");
    await visit(page, `${EMPTY_URL}/setup`);
  });

  test("[A11Y] org admin: every Org Dashboard tab, team page, account page and their dialogs", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signIn(page, "org-admin@acme.test");
    for (const path of [
      "/org/acme",
      "/org/acme/teams",
      "/org/acme/identity-providers",
      "/org/acme/webhooks",
      "/org/acme/audit-log",
      "/org/acme/settings",
      "/ml-team",
      "/ml-team/settings",
      "/ml-team/settings/projects",
      "/ml-team/projects/production-models",
      "/account",
      "/account/password",
    ]) {
      await visit(page, path);
    }

    await visit(page, "/org/acme");
    await page.getByRole("button", { name: "Add member" }).click();
    await expectAccessible(page, "Add member dialog");
    await page.keyboard.press("Escape");

    await visit(page, "/org/acme/teams");
    await page.getByRole("button", { name: /New team|Create team/ }).click();
    await expectAccessible(page, "New team dialog");
    await page.keyboard.press("Escape");

    // Service accounts: the list, the create dialog, the key dialogs, the row menu and its dialogs.
    await visit(page, "/org/acme/service-accounts");
    const name = `a11y-${unique()}`;
    await page.getByRole("button", { name: "New service account" }).click();
    const dialog = page.getByRole("dialog", { name: "New service account" });
    await expectAccessible(page, "New service account dialog");
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    await dialog.getByLabel("Default team").selectOption("ml-team");
    await dialog.getByRole("radio", { name: "Federated identity" }).check();
    await expectAccessible(page, "New service account dialog, federated");
    await dialog.getByRole("radio", { name: "Generate API key (Built-in)" }).check();
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(dialog.getByText(`Service account ${name} was created.`)).toBeVisible();
    await expectAccessible(page, "account created");
    await dialog.getByRole("button", { name: "Create API key" }).click();
    const keyForm = page.getByRole("dialog", { name: "Create API key" });
    await expectAccessible(page, "Create API key dialog");
    await keyForm.getByLabel("API key name").fill("a11y");
    await keyForm.getByRole("button", { name: "Create" }).click();
    const reveal = page.getByRole("dialog", { name: "Copy your API key" });
    await expect(reveal).toBeVisible();
    await expectAccessible(page, "key reveal dialog");
    await reveal.getByRole("button", { name: "Done" }).click();

    await visit(page, "/org/acme/service-accounts");
    await page.getByRole("button", { name: `Actions for ${name}` }).click();
    await expectAccessible(page, "row menu");
    await page.getByRole("menuitem", { name: "Edit" }).click();
    await expectAccessible(page, "Edit dialog");
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: `Actions for ${name}` }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await expectAccessible(page, "Delete dialog");
    await page.keyboard.press("Escape");

    await visit(page, `/org/acme/service-accounts/${name}`);
  });

  test("[A11Y] team admin and member: team pages, read-only tabs and the 403 page", async ({ page }) => {
    await signIn(page, "team-admin@acme.test");
    for (const path of [
      "/ml-team",
      "/ml-team/settings",
      "/ml-team/service-accounts",
      "/ml-team/settings/projects",
    ]) {
      await visit(page, path);
    }
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, "member@acme.test");
    for (const path of [
      "/ml-team",
      "/ml-team/settings",
      "/ml-team/service-accounts",
      "/ml-team/settings/projects",
      "/org/acme",
    ]) {
      await visit(page, path);
    }
  });
});

// Org policies (rule 31) and owners (rule 30) in the browser: an org admin sets a policy under
// Settings → Policies, the account page says it where Create API key would be, the API refuses
// with policy_denied, and a new account's Owner and Contact show on its page.
import { expect, signIn, test, unique } from "./fixtures";
import { expectAccessible } from "./support/axe";

test.describe("[POLICIES]", () => {
  test("[POLICIES][CONSOLE] API keys Disabled: said on the account page where Create API key would be; owners shown", async ({
    page,
  }) => {
    await signIn(page, "org-admin@acme.test");
    // A new account with an owner and a contact.
    await page.goto("/ml-team/service-accounts");
    const name = `owned-${unique()}`;
    await page.getByRole("button", { name: "New service account" }).click();
    const dialog = page.getByRole("dialog", { name: "New service account" });
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    await dialog.getByLabel("Owner").fill("nobody@elsewhere.test");
    await dialog.getByLabel("Contact").fill("#ml-infra");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(dialog.getByText(/owner must be a member/)).toBeVisible();
    await dialog.getByLabel("Owner").fill("team-admin@acme.test");
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(dialog.getByRole("button", { name: "Create API key" })).toBeVisible();
    await page.keyboard.press("Escape");

    await page.goto("/org/acme/settings");
    const policies = page.getByRole("region", { name: "Policies" });
    await policies.getByLabel("API keys").selectOption({ label: "Disabled" });
    await expectAccessible(page, "Settings with Policies");
    await policies.getByRole("button", { name: "Save policies" }).click();
    await expect(policies.getByText("Policies saved.")).toBeVisible();
    try {
      await page.goto(`/ml-team/service-accounts/${name}`);
      await expect(page.getByText("team-admin@acme.test")).toBeVisible();
      await expect(page.getByText("#ml-infra")).toBeVisible();
      await expect(page.getByText(/API keys policy is Disabled: no new API keys/)).toBeVisible();
      await page.getByRole("button", { name: `Actions for ${name}` }).click();
      await expect(page.getByRole("menuitem", { name: "Create API key" })).toBeDisabled();
      await page.keyboard.press("Escape");
      await expectAccessible(page, "Account page under a policy");
    } finally {
      await page.goto("/org/acme/settings");
      const again = page.getByRole("region", { name: "Policies" });
      await again.getByLabel("API keys").selectOption({ label: "Allowed" });
      await again.getByRole("button", { name: "Save policies" }).click();
      await expect(again.getByText("Policies saved.")).toBeVisible();
    }
  });
});

import { expect, signIn, test } from "./fixtures";

test.describe("[PERMISSIONS]", () => {
  test("[PERMISSIONS] a member is refused on the Org Dashboard with a 403 page", async ({ page }) => {
    await signIn(page, "member@acme.test");
    const response = await page.goto("/org/acme");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
    expect((await page.goto("/org/acme/settings"))?.status()).toBe(403);
  });

  test("[PERMISSIONS] a member sees Team Settings read-only, and nothing of another team", async ({
    page,
  }) => {
    await signIn(page, "member@acme.test");
    await page.goto("/ml-team/settings");
    await expect(page.getByRole("cell", { name: "team-admin@acme.test", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add member" })).toHaveCount(0);
    await expect(page.getByRole("combobox", { name: /Team role for/ })).toHaveCount(0);
    await page.getByRole("link", { name: "Projects" }).click();
    await expect(page.getByTestId("visibility-production-models")).toHaveText("Team");
    await expect(page.getByRole("cell", { name: "secret-eval", exact: true })).toHaveCount(0);
    expect((await page.goto("/research/settings"))?.status()).toBe(403);
  });

  test("[PERMISSIONS] a team admin manages their own team only", async ({ page }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/settings");
    await expect(page.getByRole("button", { name: "Add member" })).toBeVisible();
    expect((await page.goto("/research/settings"))?.status()).toBe(403);
    expect((await page.goto("/org/acme/teams"))?.status()).toBe(403);
  });

  test("[PERMISSIONS] the switcher lists the person's org and teams", async ({ page }) => {
    await signIn(page, "org-admin@acme.test");
    await page.getByRole("button", { name: "Switch organization or team" }).click();
    await expect(page.getByRole("menuitem", { name: "Org Dashboard" })).toBeVisible();
    await page.getByRole("menuitem", { name: "Research" }).click();
    await expect(page).toHaveURL(/\/research$/);
  });
});

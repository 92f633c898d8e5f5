import { expect, signIn, test, type Page } from "./fixtures";

/** The answer to the visibility change itself (the page also runs on-demand searches). */
function waitForVisibilityChange(page: Page, visibility: string) {
  return page.waitForResponse(
    (r) =>
      r.request().method() === "POST" &&
      Boolean(r.request().headers()["next-action"]) &&
      (r.request().postData() ?? "").includes(`"visibility":"${visibility}"`),
  );
}

test.describe("[PROJECTS]", () => {
  test("[PROJECTS] a team admin changes a project's visibility and it sticks", async ({ page }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/settings/projects");
    const select = page.getByLabel("Visibility of production-models");
    await expect(select).toHaveValue("TEAM");
    await Promise.all([waitForVisibilityChange(page, "PUBLIC"), select.selectOption("PUBLIC")]);
    await expect(
      page.getByText("Everyone in the organization can read; the team writes").first(),
    ).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Visibility of production-models")).toHaveValue("PUBLIC");
    // Wait for the change itself to be answered before reloading (a reload would cancel it).
    await Promise.all([
      waitForVisibilityChange(page, "TEAM"),
      page.getByLabel("Visibility of production-models").selectOption("TEAM"),
    ]);
    await page.reload();
    await expect(page.getByLabel("Visibility of production-models")).toHaveValue("TEAM");
  });

  test("[PROJECTS] a restricted project's access list grants and removes a person", async ({
    page,
    browser,
  }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/settings/projects");
    const access = page.getByRole("group", { name: "Access to secret-eval" });
    await access.getByLabel("Grant access to secret-eval by email").fill("member@acme.test");
    await access.getByRole("button", { name: "Grant", exact: true }).click();
    await expect(access.getByText("member@acme.test")).toBeVisible();

    const memberContext = await browser.newContext();
    const member = await memberContext.newPage();
    await signIn(member, "member@acme.test");
    await member.goto("/ml-team/settings/projects");
    await expect(member.getByRole("cell", { name: "secret-eval", exact: true })).toBeVisible();

    await access.getByRole("button", { name: "Remove access for member@acme.test" }).click();
    await expect(access.getByText("member@acme.test")).toHaveCount(0);
    await member.reload();
    await expect(member.getByRole("cell", { name: "secret-eval", exact: true })).toHaveCount(0);
    await memberContext.close();
  });
});

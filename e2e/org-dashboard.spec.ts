import { expect, signIn, test, unique } from "./fixtures";

test.describe("[ORG]", () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, "org-admin@acme.test");
  });

  test("[ORG][MEMBERS] adding a new person shows a one-time password they can sign in with", async ({
    page,
    browser,
  }) => {
    await page.goto("/org/acme");
    const email = `new-${unique()}@acme.test`;
    await page.getByRole("button", { name: "Add member" }).click();
    const dialog = page.getByRole("dialog", { name: "Add member" });
    await dialog.getByLabel("Email").fill(email);
    await dialog.getByRole("button", { name: "Add" }).click();
    const password = await dialog.getByLabel("One-time password").inputValue();
    expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(page.getByRole("cell", { name: email, exact: true })).toBeVisible();
    await expect(page.getByText(password)).toHaveCount(0);

    const other = await browser.newContext();
    const newcomer = await other.newPage();
    await signIn(newcomer, email, password);
    // A one-time password must be replaced before anything else.
    await expect(newcomer).toHaveURL(/\/account\/password/);
    await newcomer.getByLabel("Current password").fill(password);
    await newcomer.getByLabel("New password").fill("my own long password");
    await newcomer.getByRole("button", { name: "Change password" }).click();
    await expect(newcomer).not.toHaveURL(/\/account\/password/);
    await expect(newcomer.getByRole("heading", { name: "You're not in a team yet" })).toBeVisible();
    await other.close();

    // Clean up the seat for the other tests.
    await page.getByRole("button", { name: `Actions for ${email}` }).click();
    await page.getByRole("menuitem", { name: "Remove" }).click();
    await page.getByRole("dialog", { name: "Remove member" }).getByRole("button", { name: "Remove" }).click();
    await expect(page.getByRole("cell", { name: email, exact: true })).toHaveCount(0);
  });

  test("[ORG][SEATS] adding a person past the seat limit is refused", async ({ page }) => {
    await page.goto("/org/acme");
    const usage = await page.getByTestId("seat-usage").innerText();
    const used = Number(/Seats: (\d+) of/.exec(usage)?.[1]);
    await page.goto("/org/acme/settings");
    await page.getByLabel("Seat limit").fill(String(used));
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();

    await page.goto("/org/acme");
    await expect(page.getByTestId("seat-usage")).toContainText(`Seats: ${used} of ${used} used`);
    await page.getByRole("button", { name: "Add member" }).click();
    const dialog = page.getByRole("dialog", { name: "Add member" });
    await dialog.getByLabel("Email").fill(`overflow-${unique()}@acme.test`);
    await dialog.getByRole("button", { name: "Add" }).click();
    await expect(dialog.getByRole("alert")).toContainText(`All ${used} seats are in use`);
    await dialog.getByRole("button", { name: "Cancel" }).click();

    await page.goto("/org/acme/settings");
    await page.getByLabel("Seat limit").fill("10");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Settings saved.")).toBeVisible();
  });

  test("[ORG][TEAMS] a reserved team name is refused; a good one is created, renamed and deleted", async ({
    page,
  }) => {
    await page.goto("/org/acme/teams");
    await page.getByRole("button", { name: "New team" }).click();
    const dialog = page.getByRole("dialog", { name: "New team" });
    await dialog.getByLabel("Team name").fill("Settings");
    await dialog.getByLabel("URL name").fill("settings");
    await dialog.getByRole("button", { name: "Create team" }).click();
    await expect(dialog.getByText("This name is reserved by Deputy; choose another.")).toBeVisible();

    const slug = `vision-${unique()}`;
    await dialog.getByLabel("URL name").fill(slug);
    await dialog.getByRole("button", { name: "Create team" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("cell", { name: slug, exact: true })).toBeVisible();

    await page.getByRole("button", { name: `Rename ${slug}` }).click();
    await page.getByRole("dialog", { name: "Rename team" }).getByLabel("Team name").fill("Computer Vision");
    await page.getByRole("dialog", { name: "Rename team" }).getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("link", { name: "Computer Vision" })).toBeVisible();

    await page.getByRole("button", { name: `Delete ${slug}` }).click();
    await page
      .getByRole("dialog", { name: "Delete team" })
      .getByRole("button", { name: "Delete team" })
      .click();
    await expect(page.getByRole("cell", { name: slug, exact: true })).toHaveCount(0);
  });

  test("[ORG][AUDIT] changes appear in the audit log with the person who made them", async ({ page }) => {
    // Filtered by action: the suite's other tests write far more than one page of events.
    await page.goto("/org/acme/audit-log?action=demo.seeded");
    // The Action cell reads as a sentence, with the machine name beneath it.
    const seeded = page.getByRole("cell", { name: /^Seeded the demo organization/ });
    await expect(seeded).toBeVisible();
    await expect(seeded.locator("code", { hasText: "demo.seeded" })).toBeVisible();
    await page.goto("/org/acme/audit-log?action=team.created");
    await expect(page.getByRole("cell", { name: /^Created team .*team\.created$/ }).first()).toBeVisible();
    await expect(page.getByRole("cell", { name: /org-admin@acme\.test/ }).first()).toBeVisible();
  });
});

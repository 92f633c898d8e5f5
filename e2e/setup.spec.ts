import { EMPTY_URL, expect, test } from "./fixtures";

test("[SETUP] an empty instance is set up once, then /setup is closed", async ({ page }) => {
  await page.goto(`${EMPTY_URL}/`);
  await expect(page).toHaveURL(`${EMPTY_URL}/setup`);
  await expect(page.getByRole("heading", { name: "Set up Deputy" })).toBeVisible();

  await page.getByLabel("Organization name").fill("Globex Corporation");
  await expect(page.getByLabel("Organization URL name")).toHaveValue("globex-corporation");
  await page.getByLabel("Organization URL name").fill("globex");
  await page.getByLabel("Your name").fill("Hank Scorpio");
  await page.getByLabel("Email").fill("hank@globex.test");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();

  await page.getByLabel("Password").fill("a much longer password");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page).toHaveURL(`${EMPTY_URL}/org/globex`);
  await expect(page.getByRole("heading", { name: "Globex Corporation" })).toBeVisible();
  await expect(page.getByTestId("seat-usage")).toContainText("Seats: 1 of 10 used");

  await page.goto(`${EMPTY_URL}/setup`);
  await expect(page).not.toHaveURL(/\/setup$/);
});

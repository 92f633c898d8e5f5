import { expect, signIn, test } from "./fixtures";

test.describe("[AUTH]", () => {
  test("[AUTH] sign in and sign out", async ({ page }) => {
    await signIn(page, "member@acme.test");
    // A member of ml-team lands on their first team.
    await expect(page).toHaveURL(/\/ml-team$/);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/ml-team/settings");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fml-team%2Fsettings/);
  });

  test("[AUTH] a wrong password is refused with a clear message", async ({ page }) => {
    await page.goto("/login");
    await page.getByLabel("Email").fill("member@acme.test");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
    await expect(page).toHaveURL(/\/login/);
  });

  test("[AUTH] a signed-out visit redirects to sign-in and back to the page asked for", async ({ page }) => {
    await page.goto("/org/acme/settings");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Forg%2Facme%2Fsettings/);
    await page.getByLabel("Email").fill("org-admin@acme.test");
    await page.getByLabel("Password").fill("deputy-demo-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/org\/acme\/settings$/);
    await expect(page.getByLabel("Seat limit")).toBeVisible();
  });

  test("[AUTH] a return path to another site is ignored", async ({ page }) => {
    await signIn(page, "org-admin@acme.test", undefined, "/login?callbackUrl=https%3A%2F%2Fevil.example%2F");
    await expect(page).toHaveURL(/127\.0\.0\.1:3100\/org\/acme$/);
  });

  test("[AUTH] the session cookie is HttpOnly and SameSite=Lax", async ({ page, context }) => {
    await signIn(page, "member@acme.test");
    const cookie = (await context.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  });
});

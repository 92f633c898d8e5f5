// People from the company's identity provider, in a browser (rules 34, 35): an org admin sets up
// single sign-on against a real OpenID provider (oidc-provider, started here), a new person signs
// in through its login and consent pages and is provisioned; a tampered answer is refused; Require
// single sign-on refuses a password; the SCIM token is shown once, works, and is revoked.
import { DEMO_URL, expect, signIn, test, unique } from "./fixtures";
import { expectAccessible } from "./support/axe";
import { DEPUTY_CLIENT, startOidcProvider } from "../tests/support/oidc-provider";

const DOMAIN = "sso-e2e.test";
let idp: Awaited<ReturnType<typeof startOidcProvider>>;

test.beforeAll(async () => {
  idp = await startOidcProvider([`${DEMO_URL}/api/sso/callback`]);
});
test.afterAll(async () => {
  await idp?.close();
});

test.describe.configure({ mode: "serial" });

test.describe("[SSO]", () => {
  test("[SSO][SETTINGS][SIGN_IN] set up SSO, then a new person signs in through the provider and is provisioned", async ({
    page,
    browser,
  }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/settings");
    const sso = page.getByRole("region", { name: "Single sign-on" });
    await expect(sso.getByTestId("sso-redirect-uri")).toHaveText(`${DEMO_URL}/api/sso/callback`);
    await sso.getByLabel("Issuer URL").fill(idp.issuer);
    await sso.getByLabel("Client ID").fill(DEPUTY_CLIENT.id);
    await sso.getByLabel("Client secret").fill(DEPUTY_CLIENT.secret);
    await sso.getByLabel("Email domains").fill(DOMAIN);
    await expectAccessible(page, "Settings with Single sign-on and SCIM");
    await sso.getByRole("button", { name: "Save" }).click();
    await expect(sso.getByText("Single sign-on saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByText(DEPUTY_CLIENT.secret)).toHaveCount(0);
    await expect(sso.getByLabel("Issuer URL")).toHaveValue(idp.issuer);

    const context = await browser.newContext();
    const person = await context.newPage();
    const email = `new-${unique()}@${DOMAIN}`;
    await person.goto("/login");
    await person.getByRole("link", { name: "Sign in with SSO" }).click();
    await expectAccessible(person, "Sign in with SSO");
    await person.getByLabel("Email").fill(email);
    await person.getByRole("button", { name: "Continue with SSO" }).click();
    // The provider's own pages.
    await expect(person).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
    await person.locator('input[name="login"]').fill(email);
    await person.locator('input[name="password"]').fill("anything");
    await person.getByRole("button", { name: "Sign-in" }).click();
    await person.getByRole("button", { name: "Continue" }).click();
    await expect(person.getByTestId("signed-in-as")).toHaveText(email);
    await expect(person.getByRole("heading", { name: "You're not in a team yet" })).toBeVisible();
    await person.goto("/account");
    await expect(person.getByTestId("session-row").filter({ hasText: "This session" })).toContainText(
      "Single sign-on",
    );
    await context.close();

    await page.goto("/org/acme");
    await expect(page.getByRole("cell", { name: email, exact: true })).toBeVisible();
    await page.goto("/org/acme/audit-log?action=auth.sso_sign_in");
    await expect(page.getByRole("cell", { name: email }).first()).toBeVisible();
  });

  test("[SSO][STATE] an answer with a tampered state is refused with a message", async ({ browser }) => {
    const context = await browser.newContext();
    const person = await context.newPage();
    await person.goto("/login?sso=1");
    await person.getByLabel("Email").fill(`mallory@${DOMAIN}`);
    await person.getByRole("button", { name: "Continue with SSO" }).click();
    await expect(person).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
    // Instead of signing in, come back with a made-up answer.
    await person.goto("/api/sso/callback?code=made-up&state=tampered");
    await expect(person).toHaveURL(/\/login\?sso=1&ssoError=provider/);
    await expect(person.getByRole("alert").filter({ hasText: "did not complete" })).toBeVisible();
    await person.goto("/account");
    await expect(person).toHaveURL(/\/login/);
    await context.close();
  });

  test("[SSO][REQUIRED] Require single sign-on refuses a member's password", async ({ page, browser }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme");
    const email = `password-${unique()}@${DOMAIN}`;
    await page.getByRole("button", { name: "Add member" }).click();
    const dialog = page.getByRole("dialog", { name: "Add member" });
    await dialog.getByLabel("Email").fill(email);
    await dialog.getByRole("button", { name: "Add" }).click();
    const password = await dialog.getByLabel("One-time password").inputValue();
    await dialog.getByRole("button", { name: "Done" }).click();

    await page.goto("/org/acme/settings");
    const sso = page.getByRole("region", { name: "Single sign-on" });
    await sso.getByLabel("Require single sign-on").check();
    await sso.getByRole("button", { name: "Save" }).click();
    await expect(sso.getByText("Single sign-on saved.")).toBeVisible();
    try {
      const context = await browser.newContext();
      const person = await context.newPage();
      await person.goto("/login");
      await person.getByLabel("Email").fill(email);
      await person.getByLabel("Password").fill(password);
      await person.getByRole("button", { name: "Sign in" }).click();
      await expect(person.getByRole("alert").filter({ hasText: "requires single sign-on" })).toBeVisible();
      await context.close();
    } finally {
      await page.goto("/org/acme/settings");
      await sso.getByLabel("Require single sign-on").uncheck();
      await sso.getByRole("button", { name: "Save" }).click();
      await expect(sso.getByText("Single sign-on saved.")).toBeVisible();
    }
  });

  test("[SCIM][CONSOLE] the SCIM token is shown once with the base URL, works, and Revoke ends it", async ({
    page,
    request,
  }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/settings");
    const panel = page.getByRole("region", { name: "SCIM provisioning" });
    await panel.getByRole("button", { name: "Generate SCIM token" }).click();
    const reveal = page.getByRole("dialog", { name: "Copy your SCIM token" });
    await expectAccessible(page, "SCIM token dialog");
    await expect(reveal.getByLabel("SCIM base URL")).toHaveValue(`${DEMO_URL}/scim/v2`);
    const token = await reveal.getByLabel("SCIM token").inputValue();
    expect(token).toMatch(/^dps_/);
    await reveal.getByRole("button", { name: "Done" }).click();
    await expect(page.getByText(token)).toHaveCount(0);
    await expect(panel.getByTestId("scim-status")).toContainText("A token is in use");

    const users = await request.get(
      `${DEMO_URL}/scim/v2/Users?filter=${encodeURIComponent('userName eq "member@acme.test"')}`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );
    expect(users.status()).toBe(200);
    expect(await users.json()).toMatchObject({ totalResults: 1 });

    await panel.getByRole("button", { name: "Revoke" }).click();
    await page
      .getByRole("dialog", { name: "Revoke SCIM token" })
      .getByRole("button", { name: "Revoke" })
      .click();
    await expect(panel.getByTestId("scim-status")).toContainText("No SCIM token");
    const after = await request.get(`${DEMO_URL}/scim/v2/Users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status()).toBe(401);
  });
});

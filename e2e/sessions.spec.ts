// Rule 36 in a browser: a session per browser, signing out ends one, Sign out everywhere ends
// all of one's own, an org admin's End sessions ends a member's — each refused on the next request.
import { expect, signIn, test, type Page } from "./fixtures";
import { expectAccessible } from "./support/axe";
import type { Browser } from "@playwright/test";

const MEMBER = "member@acme.test";

async function signedInPage(browser: Browser, email = MEMBER): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

async function expectSignedOut(page: Page) {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);
}

test("[SESSIONS] signing out ends this browser only; a cookie copied before opens nothing", async ({
  browser,
}) => {
  const laptop = await signedInPage(browser);
  const phone = await signedInPage(browser);
  const copied = await laptop.context().cookies();

  await laptop.getByRole("button", { name: "Sign out" }).click();
  await expect(laptop).toHaveURL(/\/login/);

  const thief = await browser.newContext();
  await thief.addCookies(copied);
  await expectSignedOut(await thief.newPage());

  await phone.goto("/account");
  await expect(phone.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(phone.getByTestId("session-row").filter({ hasText: "This session" })).toHaveCount(1);
  await expectAccessible(phone, "Account page");
  for (const page of [laptop, phone]) await page.context().close();
  await thief.close();
});

test("[SESSIONS] Sign out everywhere ends every session of mine", async ({ browser }) => {
  const first = await signedInPage(browser);
  const second = await signedInPage(browser);
  const someoneElse = await signedInPage(browser, "org-admin@acme.test");

  await second.goto("/account");
  await second.getByRole("button", { name: "Sign out everywhere" }).click();
  const dialog = second.getByRole("dialog", { name: "Sign out everywhere" });
  await expectAccessible(second, "Sign out everywhere dialog");
  await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(second).toHaveURL(/\/login/);

  await expectSignedOut(first);
  await expectSignedOut(second);
  await someoneElse.goto("/account");
  await expect(someoneElse.getByRole("heading", { name: "Your account" })).toBeVisible();
  for (const page of [first, second, someoneElse]) await page.context().close();
});

test("[SESSIONS] an org admin's End sessions signs a member out on their next request", async ({
  browser,
}) => {
  const member = await signedInPage(browser);
  const admin = await signedInPage(browser, "org-admin@acme.test");

  await admin.goto("/org/acme");
  await admin.getByRole("button", { name: `Actions for ${MEMBER}` }).click();
  await admin.getByRole("menuitem", { name: "End sessions" }).click();
  const dialog = admin.getByRole("dialog", { name: "End sessions" });
  await expectAccessible(admin, "End sessions dialog");
  await dialog.getByRole("button", { name: "End sessions" }).click();
  await expect(admin.getByRole("status").filter({ hasText: /sessions? (was|were) ended/ })).toBeVisible();

  await expectSignedOut(member);
  // The admin's own session is untouched, and the audit log says who did it.
  await admin.goto("/org/acme/audit-log?action=user.sessions_ended");
  await expect(admin.getByRole("cell", { name: "user.sessions_ended" }).first()).toBeVisible();
  for (const page of [member, admin]) await page.context().close();
});

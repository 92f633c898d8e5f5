import { expect, test as base, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "deputy-demo-password";
export const EMPTY_URL = "http://127.0.0.1:3101";

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, path = "/login") {
  await page.goto(path);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
}

export const test = base;
export { expect };
export type { Page };

/** A short unique suffix for names that tests create on the shared demo server. */
export const unique = () => Math.random().toString(36).slice(2, 8);

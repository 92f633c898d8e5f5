import { expect, test as base, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "deputy-demo-password";
export const DEMO_URL = "http://127.0.0.1:3100";
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

/**
 * In an open Service Accounts tab: creates a built-in account and its first key through the
 * console, and returns the key from the copy-once reveal.
 */
export async function newAccountWithKey(
  page: Page,
  name: string,
  options: { role?: "ADMIN" | "MEMBER" | "VIEWER"; defaultTeam?: string } = {},
): Promise<string> {
  await page.getByRole("button", { name: "New service account" }).click();
  const dialog = page.getByRole("dialog", { name: "New service account" });
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  if (options.defaultTeam) await dialog.getByLabel("Default team").selectOption(options.defaultTeam);
  if (options.role) await dialog.getByLabel("Role").selectOption(options.role);
  await dialog.getByRole("button", { name: "Create" }).click();
  await dialog.getByRole("button", { name: "Create API key" }).click();
  const form = page.getByRole("dialog", { name: "Create API key" });
  await form.getByLabel("API key name").fill("e2e");
  await form.getByRole("button", { name: "Create" }).click();
  const reveal = page.getByRole("dialog", { name: "Copy your API key" });
  const key = await reveal.getByLabel("API key").inputValue();
  await reveal.getByRole("button", { name: "Done" }).click();
  return key;
}

/** The run ids a project lists over the API, following every cursor. */
export async function listedRunIds(
  request: {
    get: (url: string, options: { headers: Record<string, string> }) => Promise<{ json(): Promise<unknown> }>;
  },
  baseUrl: string,
  key: string,
  entity: string,
  project: string,
): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const answer = (await (
      await request.get(`${baseUrl}/api/v1/projects/${entity}/${project}/runs?limit=100${query}`, {
        headers: { authorization: `Bearer ${key}` },
      })
    ).json()) as { runs: { id: string }[]; nextCursor: string | null };
    for (const run of answer.runs) ids.add(run.id);
    cursor = answer.nextCursor;
  } while (cursor);
  return ids;
}

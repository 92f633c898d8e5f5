// "The console says it is done" means "refused everywhere on this instance" (issue 15, item 14):
// for delete, disable, revoke, rotate and leak, a key that was just used (so the API's
// credential cache holds it) is refused by the very next request after the dialog closes or the
// row changes, on the production server, both engines. No waiting and no retries: one request.
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";

async function status(request: APIRequestContext, key: string) {
  return (await request.get("/api/v1/viewer", { headers: { authorization: `Bearer ${key}` } })).status();
}

/** An account with a key that has just been used (its record is in the credential cache). */
async function warmAccount(page: Page, request: APIRequestContext, prefix: string, signedIn = false) {
  if (!signedIn) await signIn(page, "team-admin@acme.test");
  await page.goto("/ml-team/service-accounts");
  const name = `${prefix}-${unique()}`;
  const key = await newAccountWithKey(page, name);
  for (let i = 0; i < 3; i += 1) expect(await status(request, key)).toBe(200);
  return { name, key };
}

const menuFor = (page: Page, name: string) => page.getByRole("button", { name: `Actions for ${name}` });

test.describe("[SECURITY][REVOCATION]", () => {
  test("[SECURITY][REVOCATION] delete: the key is refused by the first request after the dialog closes", async ({
    page,
    request,
  }) => {
    const { name, key } = await warmAccount(page, request, "deleted");
    // A job keeps using the key while the admin deletes its account: lookups are in flight when
    // the deletion commits, and none of them may put the live record back into the cache.
    const answers: { startedAt: number; status: number }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const startedAt = Date.now();
        answers.push({ startedAt, status: await status(request, key) });
      }
    })();
    await menuFor(page, name).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete service account" });
    await confirm.getByLabel(`Type ${name} to confirm`).fill(name);
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(confirm).toBeHidden();
    const closedAt = Date.now();
    expect(await status(request, key)).toBe(401);
    // Keep the job going for 20 more requests: a stale cache entry would live on for up to 1 s.
    await expect.poll(() => answers.filter((a) => a.startedAt >= closedAt).length).toBeGreaterThanOrEqual(20);
    polling = false;
    await poller;
    const after = answers.filter((a) => a.startedAt >= closedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((a) => a.status !== 401)).toEqual([]);
  });

  test("[SECURITY][REVOCATION] disable: refused as soon as the row says Disabled", async ({
    page,
    request,
  }) => {
    const { name, key } = await warmAccount(page, request, "disabled");
    await menuFor(page, name).click();
    await page.getByRole("menuitem", { name: "Disable" }).click();
    await expect(
      page.getByRole("row", { name: new RegExp(name) }).getByText("Disabled", { exact: true }),
    ).toBeVisible();
    expect(await status(request, key)).toBe(401);
  });

  test("[SECURITY][REVOCATION] revoke and rotate immediately: refused as soon as the dialog closes", async ({
    page,
    request,
  }) => {
    const { name, key } = await warmAccount(page, request, "revoked");
    await page.goto(`/ml-team/service-accounts/${name}`);
    await page.getByRole("button", { name: "Revoke e2e" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke API key" });
    await confirm.getByRole("button", { name: "Revoke" }).click();
    await expect(confirm).toBeHidden();
    expect(await status(request, key)).toBe(401);

    const rotated = await warmAccount(page, request, "rotated", true);
    await page.goto(`/ml-team/service-accounts/${rotated.name}`);
    await page.getByRole("button", { name: "Rotate e2e" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate e2e" });
    await dialog.getByRole("radio", { name: "Immediately" }).check();
    await dialog.getByRole("button", { name: "Rotate" }).click();
    const reveal = page.getByRole("dialog", { name: "Copy your API key" });
    const successor = await reveal.getByLabel("API key").inputValue();
    await reveal.getByRole("button", { name: "Done" }).click();
    await expect(reveal).toBeHidden();
    expect(await status(request, rotated.key)).toBe(401);
    expect(await status(request, successor)).toBe(200);
  });

  test("[SECURITY][REVOCATION] leak: refused as soon as the report's results show", async ({
    page,
    request,
  }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/service-accounts");
    const key = await newAccountWithKey(page, `leaked-${unique()}`, { defaultTeam: "ml-team" });
    for (let i = 0; i < 3; i += 1) expect(await status(request, key)).toBe(200);
    await page.getByRole("button", { name: "Report leaked keys" }).click();
    const dialog = page.getByRole("dialog", { name: "Report leaked keys" });
    await dialog.getByLabel("Leaked keys").fill(key);
    await dialog.getByRole("button", { name: "Revoke leaked keys" }).click();
    await expect(dialog.getByRole("list", { name: "Results" })).toContainText(
      "Revoked now and marked leaked",
    );
    expect(await status(request, key)).toBe(401);
  });
});

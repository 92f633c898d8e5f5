import type { APIResponse } from "@playwright/test";
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";

/** The error code of a JSON error answer. */
async function codeOf(response: APIResponse): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

// The machine side against the production server: a key made in the console drives the API, and
// the console shows what the job did.

test.describe("[API]", () => {
  test("[API][RUNS] a key from the console logs a run the console then shows, attributed to a member", async ({
    page,
    request,
  }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `ci-e2e-${unique()}`;
    const key = await newAccountWithKey(page, name);
    const auth = { authorization: `Bearer ${key}` };

    const viewer = await request.get("/api/v1/viewer", { headers: auth });
    expect(viewer.status()).toBe(200);
    expect(await viewer.json()).toMatchObject({
      principal: {
        type: "service_account",
        name,
        identity: `${name}@acme.sa.deputy.local`,
        scope: "team",
        team: "ml-team",
      },
      credential: { type: "api_key", name: "e2e" },
    });

    const run = await request.post("/api/v1/runs", {
      headers: auth,
      data: { project: "production-models", name: `run-${name}`, userEmail: "member@acme.test" },
    });
    expect(run.status()).toBe(201);
    expect(await run.json()).toMatchObject({
      run: {
        entity: "ml-team",
        project: "production-models",
        createdBy: `${name}@acme.sa.deputy.local`,
        attributedTo: "member@acme.test",
      },
      warnings: [],
    });

    const refused = await request.post("/api/v1/runs", { headers: auth, data: { project: "secret-eval" } });
    expect(refused.status()).toBe(403);
    expect(await codeOf(refused)).toBe("restricted_project");
    const crossTeam = await request.post("/api/v1/runs", {
      headers: auth,
      data: { entity: "research", project: "private-notes" },
    });
    expect(await codeOf(crossTeam)).toBe("cross_team_write_denied");

    await page.goto("/ml-team/projects/production-models");
    const row = page.getByRole("row", { name: new RegExp(`run-${name}`) });
    await expect(row.getByText(`${name}@acme.sa.deputy.local`)).toBeVisible();
    await expect(row.getByText("member@acme.test")).toBeVisible();

    // Disabling the account in the console refuses its key at once.
    await page.goto("/ml-team/service-accounts");
    await page.getByRole("button", { name: `Actions for ${name}` }).click();
    await page.getByRole("menuitem", { name: "Disable" }).click();
    await expect(page.getByRole("row", { name: new RegExp(name) }).getByText("Disabled")).toBeVisible();
    const disabled = await request.get("/api/v1/viewer", { headers: auth });
    expect(disabled.status()).toBe(401);
    expect(await codeOf(disabled)).toBe("account_disabled");
  });

  test("[API][ACCESS] a restricted project's access list grants a service account, and Why? explains it", async ({
    page,
    request,
  }) => {
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `eval-job-${unique()}`;
    const key = await newAccountWithKey(page, name);
    const auth = { authorization: `Bearer ${key}` };
    expect((await request.get("/api/v1/projects/ml-team/secret-eval/runs", { headers: auth })).status()).toBe(
      403,
    );

    await page.getByRole("link", { name }).click();
    const access = page.getByRole("table", { name: "Project access" });
    await expect(access.getByRole("row", { name: /ml-team\/secret-eval/ })).toContainText(
      "restricted project: not granted",
    );
    await expect(access.getByRole("row", { name: /research\/shared-bench/ })).toContainText(
      "other team's OPEN project",
    );
    // Another team's Team project: the team admin could not open it, so its name is not shown.
    await expect(access.getByRole("row", { name: /research\/private-notes/ })).toHaveCount(0);
    await expect(page.getByText(/more projects? you cannot open (is|are) not listed/)).toBeVisible();

    await page.goto("/ml-team/settings/projects");
    const list = page.getByRole("group", { name: "Access to secret-eval" });
    await list.getByLabel("Search service accounts for secret-eval").fill(name);
    await list.getByLabel("Service account to grant access to secret-eval").selectOption(name);
    await list.getByRole("button", { name: "Grant account" }).click();
    await expect(list.getByRole("listitem").filter({ hasText: name })).toBeVisible();
    expect((await request.get("/api/v1/projects/ml-team/secret-eval/runs", { headers: auth })).status()).toBe(
      200,
    );

    await page.goto(`/ml-team/service-accounts/${name}`);
    await expect(
      page.getByRole("table", { name: "Project access" }).getByRole("row", { name: /ml-team\/secret-eval/ }),
    ).toContainText("restricted project: granted");

    await page.goto("/ml-team/settings/projects");
    await list.getByRole("button", { name: `Remove access for ${name}` }).click();
    await expect(list.getByRole("listitem").filter({ hasText: name })).toHaveCount(0);
    expect((await request.get("/api/v1/projects/ml-team/secret-eval/runs", { headers: auth })).status()).toBe(
      403,
    );
  });

  test("[API][ERRORS] bad credentials and unknown paths answer JSON errors", async ({ request }) => {
    const missing = await request.get("/api/v1/viewer");
    expect(missing.status()).toBe(401);
    expect(missing.headers()["www-authenticate"]).toMatch(/^Bearer/);
    expect(await codeOf(missing)).toBe("missing_credential");
    const unknown = await request.get("/api/v1/does-not-exist");
    expect(unknown.status()).toBe(404);
    expect(await codeOf(unknown)).toBe("not_found");
    const huge = await request.get("/api/v1/viewer", {
      headers: { authorization: `Bearer ${"a".repeat(100_000)}` },
    });
    expect(huge.status()).toBe(431);
    expect(await codeOf(huge)).toBe("invalid_request");
  });
});

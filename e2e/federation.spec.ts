// Federation in the browser and over HTTP against the production server: an org admin registers
// a (local) identity provider, a team admin trusts it with Edit federation and checks tokens with
// Test a token, and a GitHub Actions-style job exchanges its JWT and logs a run with no stored
// secret. axe checks every new page and dialog.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_URL } from "../playwright.config";
import { startLocalIssuer, type LocalIssuer } from "../tests/support/local-issuer";
import { expect, signIn, test, unique } from "./fixtures";
import { expectAccessible } from "./support/axe";

let idp: LocalIssuer;
test.beforeAll(async () => {
  idp = await startLocalIssuer();
});
test.afterAll(async () => {
  await idp.close();
});

const GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";

test.describe("[FEDERATION]", () => {
  test("[FEDERATION][WORKFLOW] register an issuer, trust it, test a token, and a CI job logs a run with no stored secret", async ({
    page,
    request,
  }) => {
    test.setTimeout(90_000);
    const suffix = unique();
    // 1. The org admin registers the issuer; a wrong one is refused with the reason.
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/identity-providers");
    await expectAccessible(page, "Identity providers tab");
    await page.getByRole("button", { name: "Add identity provider" }).click();
    const add = page.getByRole("dialog", { name: "Add identity provider" });
    await expectAccessible(page, "Add identity provider dialog");
    await add.getByLabel("Issuer URL").fill("http://127.0.0.1:9");
    await add.getByLabel("Name").fill(`Unreachable ${suffix}`);
    await add.getByRole("button", { name: "Add" }).click();
    await expect(add.getByRole("alert").first()).toContainText("could not be fetched");
    await add.getByLabel("Issuer URL").fill(idp.issuer);
    await add.getByLabel("Name").fill(`Local CI ${suffix}`);
    await add.getByRole("button", { name: "Add" }).click();
    await expect(add).toBeHidden();
    const row = page.getByRole("row", { name: new RegExp(`Local CI ${suffix}`) });
    await expect(row).toContainText("2 keys");
    await expect(row).toContainText("No accounts");

    // 2. A team admin creates a federated account trusting it, then pins claims.
    await page.context().clearCookies();
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `gha-${suffix}`;
    await page.getByRole("button", { name: "New service account" }).click();
    const create = page.getByRole("dialog", { name: "New service account" });
    await create.getByLabel("Name", { exact: true }).fill(name);
    await create.getByRole("radio", { name: "Federated identity" }).check();
    await create.getByLabel("Issuer").selectOption(idp.issuer);
    await create.getByLabel("Subject").fill("repo:acme/*:ref:refs/heads/main");
    await create.getByLabel("Audience").fill("deputy");
    await create.getByRole("button", { name: "Create" }).click();
    await expect(create.getByText(`Service account ${name} was created.`)).toBeVisible();
    await create.getByRole("button", { name: "Done" }).click();
    await page.goto(`/ml-team/service-accounts/${name}`);

    await page.getByRole("button", { name: "Edit federation" }).click();
    const edit = page.getByRole("dialog", { name: "Edit federation" });
    await expectAccessible(page, "Edit federation dialog");
    await edit.getByRole("button", { name: "GitHub Actions" }).click();
    await expect(edit.getByText(/Register https:\/\/token.actions.githubusercontent.com/)).toBeVisible();
    await edit.getByLabel("Identity provider").selectOption(idp.issuer);
    await edit.getByLabel("Subject").fill("repo:acme/*:ref:refs/heads/main");
    await edit.getByLabel("Claim conditions").fill("repository_owner=acme");
    await edit.getByRole("button", { name: "Save" }).click();
    await expect(edit).toBeHidden();
    await expect(page.getByRole("definition").getByText("acme", { exact: true })).toBeVisible();

    // 3. Test a token: a good one passes every check, a foreign one shows which check fails.
    const good = await idp.mint({
      sub: "repo:acme/models:ref:refs/heads/main",
      repository_owner: "acme",
      repository: "acme/models",
      run_id: "7",
    });
    await page.getByRole("button", { name: "Test a token" }).click();
    const tester = page.getByRole("dialog", { name: "Test a token" });
    await tester.getByLabel("JWT").fill(good);
    await tester.getByRole("button", { name: "Check token" }).click();
    await expect(tester.getByText("This token would be exchanged for an access token.")).toBeVisible();
    await expectAccessible(page, "Test a token dialog with results");
    await tester
      .getByLabel("JWT")
      .fill(await idp.mint({ sub: "repo:acme/models:ref:refs/heads/main", repository_owner: "evil" }));
    await tester.getByRole("button", { name: "Check token" }).click();
    await expect(tester.getByText("This token would be refused.")).toBeVisible();
    await expect(tester.getByRole("list", { name: "Checks" })).toContainText(
      'Claim repository_owner: failed — repository_owner is "evil"; the condition is acme.',
    );
    await page.keyboard.press("Escape");

    // 4. The CI job: exchange the JWT (form-encoded, RFC 8693), then log a run.
    const exchange = await request.post("/api/v1/oauth/token", {
      form: {
        grant_type: GRANT,
        subject_token: good,
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      },
    });
    expect(exchange.status()).toBe(200);
    const { access_token: token } = (await exchange.json()) as { access_token: string };
    const run = await request.post("/api/v1/runs", {
      headers: { authorization: `Bearer ${token}` },
      data: { project: "production-models", name: `federated-${suffix}` },
    });
    expect(run.status()).toBe(201);
    const refused = await request.post("/api/v1/oauth/token", {
      form: {
        grant_type: GRANT,
        subject_token: await idp.mint({ sub: "repo:evil/x:ref:refs/heads/main", repository_owner: "acme" }),
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      },
    });
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: "invalid_grant",
      error_description: expect.stringMatching(/Subject/),
    });

    // The account page shows both exchanges in its activity; the CLI works from the JWT alone.
    await page.reload();
    await expect(page.getByText("token_exchange.granted").first()).toBeVisible();
    await expect(page.getByText("token_exchange.refused").first()).toBeVisible();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-e2e-"));
    try {
      fs.writeFileSync(path.join(dir, "jwt"), good);
      const whoami = await new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          [path.resolve(import.meta.dirname, "../bin/deputy.mjs"), "whoami"],
          {
            env: {
              PATH: process.env.PATH ?? "",
              NODE_ENV: "production",
              DEPUTY_HOST: DEMO_URL,
              DEPUTY_IDENTITY_TOKEN_FILE: path.join(dir, "jwt"),
              XDG_CACHE_HOME: dir,
            },
          },
          (error, stdout) => resolve({ code: error ? 1 : 0, stdout }),
        ),
      );
      expect(whoami).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(new RegExp(`Service account: +${name}`)),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // 5. The issuer can't be removed while the account trusts it.
    await page.context().clearCookies();
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/identity-providers");
    await page.getByRole("button", { name: `Remove Local CI ${suffix}` }).click();
    const confirm = page.getByRole("dialog", { name: "Remove identity provider" });
    await confirm.getByRole("button", { name: "Remove" }).click();
    await expect(confirm.getByRole("alert")).toContainText(`trusted by ${name}`);
  });
});

// The `deputy` CLI, spawned, against the production server: an org admin creates an ADMIN
// account in the console, and a provisioning script does the rest from a terminal.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_URL } from "../playwright.config";
import { DEPUTY_BIN as BIN, runDeputy, type CliResult } from "../tests/support/cli";
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";

type Result = CliResult;

/** The real CLI against the production server, in production mode. */
function deputy(args: string[], env: Record<string, string>): Promise<Result> {
  return runDeputy(args, { NODE_ENV: "production", DEPUTY_HOST: DEMO_URL, ...env });
}

test.describe("[CLI]", () => {
  test("[CLI][PROVISION] an ADMIN account made in the console provisions, keys, logs and cleans up from the CLI", async ({
    page,
  }) => {
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/service-accounts");
    const adminName = `provisioner-${unique()}`;
    const adminKey = await newAccountWithKey(page, adminName, { role: "ADMIN", defaultTeam: "ml-team" });
    const env = { DEPUTY_API_KEY: adminKey };

    const whoami = await deputy(["whoami", "--json"], env);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      principal: { name: adminName, scope: "org", role: "admin" },
    });

    const job = `nightly-${unique()}`;
    const created = await deputy(
      ["sa", "create", "--name", job, "--team", "research", "--role", "member"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^Identity: +${job}@acme\\.sa\\.deputy\\.local$`, "m"));

    const key = await deputy(["key", "create", "--service-account", job, "--name", "cron"], env);
    expect(key.code, key.stderr).toBe(0);
    const secret = key.stdout.trim();
    expect(secret).toMatch(/^dpt_/);

    const logged = await deputy(["run", "log", "--project", "shared-bench", "--config", "epochs=3"], {
      DEPUTY_API_KEY: secret,
    });
    expect(logged.code, logged.stderr).toBe(0);
    expect(logged.stdout).toMatch(/to research\/shared-bench/);
    const runs = await deputy(["runs", "list", "--project", "shared-bench", "--json"], {
      DEPUTY_API_KEY: secret,
    });
    expect((JSON.parse(runs.stdout) as { createdBy: string }[])[0]).toMatchObject({
      createdBy: `${job}@acme.sa.deputy.local`,
    });

    // The console shows what the script did, under the acting account's identity.
    await page.goto(`/research/service-accounts/${job}`);
    await expect(page.getByRole("heading", { name: job })).toBeVisible();
    await expect(page.getByText(`${adminName}@acme.sa.deputy.local`).first()).toBeVisible();

    const listed = await deputy(["sa", "list", "--team", "research", "--json"], env);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((a) => a.name)).toContain(job);
    expect((await deputy(["sa", "disable", job], env)).code).toBe(0);
    const refused = await deputy(["whoami"], { DEPUTY_API_KEY: secret });
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/account_disabled/)]);
    expect((await deputy(["sa", "delete", job], env)).code).toBe(0);
    expect((await deputy(["sa", "get", job], env)).code).toBe(1);

    // No account deletes itself, and a usage error is exit 2.
    const self = await deputy(["sa", "delete", adminName], env);
    expect([self.code, self.stderr]).toEqual([1, expect.stringMatching(/403 forbidden/)]);
    expect((await deputy(["sa", "create", "--team", "research"], env)).code).toBe(2);
  });

  test("[CLI][README] the README's bootstrap script runs as written against the production server", async ({
    page,
  }) => {
    test.setTimeout(90_000);
    await signIn(page, "org-admin@acme.test");
    await page.goto("/org/acme/service-accounts");
    const adminKey = await newAccountWithKey(page, `bootstrapper-${unique()}`, {
      role: "ADMIN",
      defaultTeam: "ml-team",
    });
    // The script exactly as the README prints it, but for the host and the key it says to set.
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");
    const section = readme.slice(readme.indexOf("**Bootstrapping a team end to end.**"));
    const script = /```bash\n([\s\S]*?)```/
      .exec(section)![1]!
      .replace("DEPUTY_HOST=http://localhost:3000", `DEPUTY_HOST=${DEMO_URL}`)
      .replace("DEPUTY_API_KEY=dpt_…", `DEPUTY_API_KEY=${adminKey}`);
    expect(script).toContain("deputy grant add --project vision/models vision-ci");
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-bin-"));
    fs.writeFileSync(path.join(bin, "deputy"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, {
      mode: 0o755,
    });
    // The script as a user's shell runs it, with `deputy` on PATH.
    const runScript = () =>
      new Promise<Result>((resolve) =>
        execFile(
          "bash",
          ["-c", script],
          { env: { PATH: `${bin}:${process.env.PATH ?? ""}`, NODE_ENV: "production" }, timeout: 60_000 },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const result = await runScript();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/to vision\/models/);
    expect(result.stdout).toMatch(/^service_account +vision-ci@acme\.sa\.deputy\.local/m);
    // Run again, it stops at the first step that exists and changes nothing.
    const again = await runScript();
    expect([again.code, again.stderr]).toEqual([1, expect.stringMatching(/409 conflict/)]);
  });
});

// deputy run -- <command …>, deputy login profiles, and the CLI as its own package (issue 20,
// items 5 and 6), as spawned processes against a real /api/v1 server and database.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepTokenFresh, refreshDelayMs } from "@/cli/run-command";
import { addIdentityProvider } from "@/lib/federation/providers";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { DEPUTY_BIN, runDeputy } from "../support/cli";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";
import { startLocalIssuer } from "../support/local-issuer";

let api: Awaited<ReturnType<typeof startApiServer>>;
let world: Awaited<ReturnType<typeof makeOrg>>;
let key: string;
let home: string;

beforeAll(async () => {
  api = await startApiServer();
  world = await makeOrg();
  const account = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name: "nightly-retrain" },
  );
  key = (await createApiKeyFromForm(world.as.orgAdmin, account.id, { name: "cron" })).secret;
  home = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-home-"));
});
afterAll(async () => {
  await api.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** A child that prints what `deputy run` gave it, and what /viewer says of that credential. */
const REPORTER = `
const fs = require("node:fs");
const file = process.env.DEPUTY_TOKEN_FILE;
fetch(process.env.DEPUTY_HOST + "/api/v1/viewer", { headers: { authorization: "Bearer " + process.env.DEPUTY_API_KEY } })
  .then((r) => r.json())
  .then((viewer) => {
    console.log(JSON.stringify({
      host: process.env.DEPUTY_HOST,
      key: process.env.DEPUTY_API_KEY,
      file: file ?? null,
      fileMode: file ? (fs.statSync(file).mode & 0o777).toString(8) : null,
      dirMode: file ? (fs.statSync(require("node:path").dirname(file)).mode & 0o777).toString(8) : null,
      fileToken: file ? fs.readFileSync(file, "utf8").trim() : null,
      account: viewer.principal?.name,
      credential: viewer.credential?.type,
    }));
    process.exit(Number(process.argv[1] ?? 0));
  });
`;

describe("deputy run -- <command …> (spawned)", () => {
  it("gives the command DEPUTY_HOST and the API key, and exits with its exit code", async () => {
    const env = { DEPUTY_HOST: api.base, DEPUTY_API_KEY: key };
    const ran = await runDeputy(["run", "--", process.execPath, "-e", REPORTER, "7"], env);
    expect([ran.code, ran.stderr]).toEqual([7, ""]);
    expect(JSON.parse(ran.stdout)).toMatchObject({
      host: api.base,
      key,
      file: null,
      account: "nightly-retrain",
      credential: "api_key",
    });
    const missing = await runDeputy(["run", "--", "no-such-command-here"], env);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringMatching(/no-such-command-here: command not found/),
    ]);
    // After --, everything is the command's, even a word that names a subcommand.
    const named = await runDeputy(["run", "--", "log"], env);
    expect([named.code, named.stderr]).toEqual([2, expect.stringMatching(/^deputy: log: command not found/)]);
    const nothing = await runDeputy(["run"], env);
    expect([nothing.code, nothing.stderr]).toEqual([2, expect.stringMatching(/Name the command to run/)]);
  });

  it("exchanges a workload JWT and keeps a private token file for the command, removed afterwards", async () => {
    const idp = await startLocalIssuer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-run-test-"));
    try {
      await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "Airflow" });
      await createServiceAccountFromForm(
        world.as.orgAdmin,
        { teamSlug: world.alpha.slug },
        {
          name: "airflow-task",
          authMethod: "FEDERATED",
          issuer: idp.issuer,
          subject: "system:serviceaccount:airflow:*",
          audience: "deputy",
        },
      );
      const jwtFile = path.join(dir, "token");
      fs.writeFileSync(jwtFile, await idp.mint({ sub: "system:serviceaccount:airflow:worker" }));
      const ran = await runDeputy(["run", "--", process.execPath, "-e", REPORTER], {
        DEPUTY_HOST: api.base,
        DEPUTY_IDENTITY_TOKEN_FILE: jwtFile,
        XDG_CACHE_HOME: dir,
      });
      expect([ran.code, ran.stderr]).toEqual([0, ""]);
      const seen = JSON.parse(ran.stdout) as Record<string, string>;
      expect(seen).toMatchObject({
        account: "airflow-task",
        credential: "access_token",
        fileMode: "600",
        dirMode: "700",
      });
      expect(seen.key).toMatch(/^dpa_/);
      expect(seen.fileToken).toBe(seen.key);
      expect(fs.existsSync(path.dirname(seen.file!))).toBe(false);
    } finally {
      await idp.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes SIGTERM on to the command and exits with the command's answer to it", async () => {
    const child = spawn(
      process.execPath,
      [
        DEPUTY_BIN,
        "run",
        "--",
        process.execPath,
        "-e",
        `process.on("SIGTERM", () => { console.log("stopping cleanly"); process.exit(143); });
         console.log("ready"); setInterval(() => {}, 1000);`,
      ],
      {
        env: { PATH: process.env.PATH, NODE_ENV: "test", DEPUTY_HOST: api.base, DEPUTY_API_KEY: key },
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    child.stdin.end();
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready")) child.kill("SIGTERM");
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect([code, out.trim().split("\n")]).toEqual([143, ["ready", "stopping cleanly"]]);
  });

  it("rewrites the token file before each token expires", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-keeper-"));
    const file = path.join(dir, "access-token");
    let renewals = 0;
    const token = (n: number, lifeMs: number) => ({
      token: `token-${n}`,
      expiresAt: new Date(Date.now() + lifeMs).toISOString(),
    });
    const keeper = keepTokenFresh(
      file,
      token(0, 300),
      () => Promise.resolve(token(++renewals, 300)),
      () => undefined,
    );
    try {
      expect(fs.readFileSync(file, "utf8")).toBe("token-0\n");
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      await expect.poll(() => fs.readFileSync(file, "utf8"), { timeout: 3000 }).toBe("token-2\n");
    } finally {
      keeper.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // An hour's token is refreshed 6 minutes before it expires; a 10-minute one a minute before.
    const now = Date.now();
    expect(refreshDelayMs(now + 3_600_000, now, now)).toBe(3_240_000);
    expect(refreshDelayMs(now + 600_000, now, now)).toBe(540_000);
    expect(refreshDelayMs(now - 1, now - 1000, now)).toBe(0);
  });
});

describe("deputy login profiles (spawned)", () => {
  const profileEnv = () => ({ HOME: home, DEPUTY_HOST: undefined });

  it("saves a checked key as a 0600 profile, uses it, and lets the environment win", async () => {
    const bad = await runDeputy(["login", "--host", api.base, "--profile", "ci"], profileEnv(), {
      input: `${key.slice(0, -1)}x\n`,
    });
    expect(bad.code).toBe(1);
    const file = path.join(home, ".config", "deputy", "config.json");
    expect(fs.existsSync(file)).toBe(false);

    const saved = await runDeputy(["login", "--host", api.base, "--profile", "ci"], profileEnv(), {
      input: `${key}\n`,
    });
    expect([saved.code, saved.stderr]).toEqual([0, ""]);
    expect(saved.stdout).toMatch(/^Logged in to .* as nightly-retrain@.*Saved as profile "ci"/);
    expect(saved.stdout).not.toContain(key);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);

    const whoami = await runDeputy(["whoami", "--json"], { ...profileEnv(), DEPUTY_PROFILE: "ci" });
    expect([whoami.code, whoami.stderr]).toEqual([0, ""]);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ principal: { name: "nightly-retrain" } });
    // No DEPUTY_PROFILE and no "default" profile: nothing to use.
    expect((await runDeputy(["whoami"], profileEnv())).code).toBe(2);
    const wrong = await runDeputy(["whoami"], { ...profileEnv(), DEPUTY_PROFILE: "prod" });
    expect([wrong.code, wrong.stderr]).toEqual([
      2,
      expect.stringMatching(/"prod", which is not a saved profile \(saved: ci\)/),
    ]);
    // A key in the environment wins over the profile's.
    const overridden = await runDeputy(["whoami"], {
      ...profileEnv(),
      DEPUTY_PROFILE: "ci",
      DEPUTY_API_KEY: `${key.slice(0, -1)}x`,
    });
    expect(overridden.code).toBe(1);

    const listed = await runDeputy(["profiles"], { ...profileEnv(), DEPUTY_PROFILE: "ci" });
    expect(listed.stdout).toMatch(/\*\s+ci\s+http:\/\/127\.0\.0\.1:\d+\s+API key …/);
    expect(listed.stdout).not.toContain(key);

    fs.chmodSync(file, 0o644);
    const lax = await runDeputy(["whoami"], { ...profileEnv(), DEPUTY_PROFILE: "ci" });
    expect([lax.code, lax.stderr]).toEqual([
      2,
      expect.stringMatching(/can be read by other users \(mode 0644\).*chmod 600/),
    ]);
    fs.chmodSync(file, 0o600);

    expect((await runDeputy(["logout", "--profile", "ci"], profileEnv())).code).toBe(0);
    expect((await runDeputy(["whoami"], { ...profileEnv(), DEPUTY_PROFILE: "ci" })).code).toBe(2);
  });
});

describe("the CLI package (cli/)", () => {
  it("packs to a tarball that installs and runs with nothing of the console", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-pack-"));
    try {
      const cli = path.resolve(import.meta.dirname, "../../cli");
      const npm = (args: string[], cwd: string) =>
        execFileSync("npm", args, {
          cwd,
          encoding: "utf8",
          env: { ...process.env, npm_config_loglevel: "error" },
        });
      const tarball = npm(["pack", "--silent", "--pack-destination", work], cli).trim().split("\n").pop()!;
      const prefix = path.join(work, "prefix");
      npm(["install", "--global", "--offline", "--prefix", prefix, path.join(work, tarball)], work);
      const installed = path.join(prefix, "bin", "deputy");
      const files = fs.readdirSync(path.join(prefix, "lib", "node_modules", "deputy-cli")).sort();
      // No node_modules: the bundle is the whole program.
      expect(files).toEqual(["bin", "dist", "package.json"]);

      const { version } = JSON.parse(fs.readFileSync(path.join(cli, "package.json"), "utf8")) as {
        version: string;
      };
      const minimal = { PATH: "/usr/local/bin:/usr/bin:/bin" };
      const shown = await runDeputy(["--version"], minimal, { bin: installed, cwd: work });
      expect([shown.code, shown.stdout]).toEqual([0, `${version}\n`]);
      const whoami = await runDeputy(
        ["whoami", "--json"],
        { ...minimal, DEPUTY_HOST: api.base, DEPUTY_API_KEY: key },
        {
          bin: installed,
          cwd: work,
        },
      );
      expect([whoami.code, whoami.stderr]).toEqual([0, ""]);
      expect(JSON.parse(whoami.stdout)).toMatchObject({ principal: { name: "nightly-retrain" } });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

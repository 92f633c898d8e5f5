// The `deputy` CLI as a spawned process (bin/deputy.mjs) against a real /api/v1 server and
// database: a provisioning script's whole life, tables for people, --json for scripts, the
// secret alone on stdout, and exit codes 0 / 1 / 2.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram, run } from "@/cli/program";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { db } from "@/lib/db";
import { runDeputy, type CliResult } from "../support/cli";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";
import { startLocalIssuer } from "../support/local-issuer";
import { addIdentityProvider } from "@/lib/federation/providers";

let api: Awaited<ReturnType<typeof startApiServer>>;
let world: Awaited<ReturnType<typeof makeOrg>>;
let adminKey: string;
let teamAdminKey: string;

type Result = CliResult;

/** Runs the real CLI in its own process, against this file's API with the admin key unless overridden. */
function deputy(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return runDeputy(args, { DEPUTY_HOST: api.base, DEPUTY_API_KEY: adminKey, ...env });
}

beforeAll(async () => {
  api = await startApiServer();
  world = await makeOrg();
  const admin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { orgSlug: world.org.slug },
    { name: "provisioner", role: "ADMIN", defaultTeam: world.alpha.slug },
  );
  adminKey = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "cli" })).secret;
  const teamAdmin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name: "alpha-provisioner", role: "ADMIN" },
  );
  teamAdminKey = (await createApiKeyFromForm(world.as.orgAdmin, teamAdmin.id, { name: "cli" })).secret;
});
afterAll(() => api.close());

describe("deputy CLI (spawned)", () => {
  it("does what an admin does in the Service Accounts tab, from a provisioning script", async () => {
    const whoami = await deputy(["whoami"]);
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toMatch(/^Service account: +provisioner$/m);
    expect(whoami.stdout).toMatch(/^Role: +admin$/m);

    const created = await deputy([
      "sa",
      "create",
      "--name",
      "ci-model-training",
      "--team",
      world.alpha.slug,
      "--description",
      "Trains on every merge",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const account = JSON.parse(created.stdout) as {
      id: string;
      scope: string;
      role: string;
      createdBy: string;
    };
    expect(account).toMatchObject({
      scope: "team",
      role: "member",
      createdBy: `provisioner@${world.org.slug}.sa.deputy.local`,
    });

    // The secret alone on stdout: export DEPUTY_API_KEY=$(deputy key create …) works.
    const key = await deputy([
      "key",
      "create",
      "--service-account",
      "ci-model-training",
      "--name",
      "github-actions",
      "--expires-in",
      "30d",
    ]);
    expect(key.code, key.stderr).toBe(0);
    expect(key.stdout).toMatch(/^dpt_[A-Za-z0-9_]+\n$/);
    expect(key.stderr).toMatch(/only time the secret is shown/);
    const secret = key.stdout.trim();

    const logged = await deputy(
      [
        "run",
        "log",
        "--name",
        "epoch-1",
        "--config",
        "lr=0.01",
        "--config",
        "optimizer=adam",
        "--summary",
        "accuracy=0.91",
      ],
      {
        DEPUTY_API_KEY: secret,
        DEPUTY_PROJECT: "cli-project",
        DEPUTY_USER_EMAIL: world.people.alphaMember.email,
      },
    );
    expect(logged.code, logged.stderr).toBe(0);
    expect(logged.stdout).toMatch(new RegExp(`Logged run epoch-1 .* to ${world.alpha.slug}/cli-project`));
    const runs = await deputy(["runs", "list", "--project", "cli-project", "--json"], {
      DEPUTY_API_KEY: secret,
    });
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout)).toEqual([
      expect.objectContaining({
        name: "epoch-1",
        config: { lr: 0.01, optimizer: "adam" },
        summary: { accuracy: 0.91 },
        attributedTo: world.people.alphaMember.email,
      }),
    ]);
    const runsTable = await deputy(["runs", "list", "--project", "cli-project"], { DEPUTY_API_KEY: secret });
    expect(runsTable.stdout.split("\n")[0]).toMatch(/^ID +NAME +CREATED +CREATED BY +ATTRIBUTED TO$/);

    const list = await deputy(["sa", "list", "--team", world.alpha.slug]);
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME +SCOPE +TEAM +ROLE +STATUS +AUTH +KEYS +LAST USED$/);
    const row = lines.find((l) => l.startsWith("ci-model-training"))!;
    // Aligned: every column starts where its header does.
    expect(row.indexOf(world.alpha.slug)).toBe(lines[0]!.indexOf("TEAM"));
    expect(row).toMatch(/^ci-model-training +team +alpha-\S+ +member +active +api_key +1 +—$/);

    expect((await deputy(["sa", "update", "ci-model-training", "--role", "viewer"])).stdout).toMatch(
      /^Role: +viewer$/m,
    );
    expect((await deputy(["sa", "disable", "ci-model-training"])).stdout).toBe(
      "Disabled ci-model-training.\n",
    );
    const refused = await deputy(["whoami"], { DEPUTY_API_KEY: secret });
    expect([refused.code, refused.stdout]).toEqual([1, ""]);
    expect(refused.stderr).toMatch(/disabled.*\(401 account_disabled\)/);
    expect((await deputy(["sa", "enable", "ci-model-training"])).code).toBe(0);
    expect((await deputy(["whoami"], { DEPUTY_API_KEY: secret })).code).toBe(0);

    const keys = await deputy(["key", "list", "--service-account", "ci-model-training", "--json"]);
    const [listed] = JSON.parse(keys.stdout) as { id: string; status: string }[];
    expect(keys.stdout).not.toContain(secret);
    expect((await deputy(["key", "revoke", "--service-account", "ci-model-training", listed!.id])).code).toBe(
      0,
    );
    expect((await deputy(["whoami"], { DEPUTY_API_KEY: secret })).stderr).toMatch(/revoked_credential/);

    expect((await deputy(["sa", "delete", "ci-model-training"])).code).toBe(0);
    const gone = await deputy(["sa", "get", "ci-model-training"]);
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringMatching(/404 not_found/)]);
    const audited = await db.auditEvent.findMany({
      where: { targetId: account.id },
      select: { action: true, actorIdentity: true },
      orderBy: { createdAt: "asc" },
    });
    expect(audited.map((e) => e.action)).toEqual([
      "service_account.created",
      "api_key.created",
      "service_account.updated",
      "service_account.disabled",
      "service_account.enabled",
      "api_key.revoked",
      "service_account.deleted",
    ]);
    expect(new Set(audited.map((e) => e.actorIdentity))).toEqual(
      new Set([`provisioner@${world.org.slug}.sa.deputy.local`]),
    );
  }, 120_000);

  it("rotates a key: only the new secret on stdout, the old key stops at the end of the grace", async () => {
    await deputy(["sa", "create", "--name", "rotating-job", "--team", world.alpha.slug]);
    const old = (
      await deputy(["key", "create", "--service-account", "rotating-job", "--name", "cron"])
    ).stdout.trim();
    const [listed] = JSON.parse(
      (await deputy(["key", "list", "--service-account", "rotating-job", "--json"])).stdout,
    ) as {
      id: string;
    }[];
    const rotated = await deputy([
      "key",
      "rotate",
      "--service-account",
      "rotating-job",
      listed!.id,
      "--grace",
      "24h",
    ]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^dpt_[A-Za-z0-9_]+\n$/);
    expect(rotated.stderr).toMatch(/stops working at \d{4}-\d\d-\d\d/);
    expect((await deputy(["whoami"], { DEPUTY_API_KEY: old })).code).toBe(0);
    expect((await deputy(["whoami"], { DEPUTY_API_KEY: rotated.stdout.trim() })).code).toBe(0);
    const again = await deputy(["key", "rotate", "--service-account", "rotating-job", listed!.id]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringMatching(/already rotated.*409 conflict/)]);
    expect((await deputy(["key", "rotate", "--service-account", "x", "k", "--grace", "8d"])).code).toBe(2);
  });

  it("reads the audit log: what did automation do in the last hour?", async () => {
    await deputy(["sa", "create", "--name", "audited-job", "--team", world.alpha.slug]);
    const json = await deputy(["audit", "--actor-type", "service_account", "--since", "1h", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const events = JSON.parse(json.stdout) as { action: string; actor: { type: string; identity: string } }[];
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.actor.type === "service_account")).toBe(true);
    expect(
      events.some(
        (e) => e.action === "service_account.created" && e.actor.identity.startsWith("provisioner@"),
      ),
    ).toBe(true);
    const table = await deputy(["audit", "--action", "service_account.created", "--limit", "5"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^TIME +ACTOR TYPE +ACTOR +ACTION +TARGET$/);
    expect((await deputy(["audit", "--since", "yesterday"])).code).toBe(2);
    expect((await deputy(["audit"], { DEPUTY_API_KEY: teamAdminKey })).stderr).toMatch(/403 forbidden/);
  });

  it("exits 1 with the API's message when the API refuses, 2 for usage errors", async () => {
    const orgScope = await deputy(
      ["sa", "create", "--name", "wants-org", "--team", world.alpha.slug, "--org-scope"],
      {
        DEPUTY_API_KEY: teamAdminKey,
      },
    );
    expect([orgScope.code, orgScope.stderr]).toEqual([
      1,
      expect.stringMatching(/team-scoped account creates only .*\(403 forbidden\)/),
    ]);
    await deputy(["sa", "create", "--name", "twice", "--team", world.alpha.slug]);
    const twice = await deputy(["sa", "create", "--name", "twice", "--team", world.alpha.slug]);
    expect([twice.code, twice.stderr]).toEqual([1, expect.stringMatching(/409 name_taken/)]);

    const usage: [string[], Record<string, string | undefined>, RegExp][] = [
      [["sa", "create", "--team", "x"], {}, /required option '--name <name>'/],
      [["sa", "frobnicate"], {}, /unknown command 'frobnicate'/],
      [["key", "create", "--service-account", "a", "--name", "k", "--expires-in", "soon"], {}, /90d/],
      [["sa", "update", "twice"], {}, /Say what to change/],
      [["whoami"], { DEPUTY_API_KEY: undefined }, /Set DEPUTY_API_KEY/],
      [["run", "log"], {}, /--project p, or set DEPUTY_PROJECT/],
    ];
    for (const [args, env, message] of usage) {
      const result = await deputy(args, env);
      expect([args.join(" "), result.code, result.stderr]).toEqual([
        args.join(" "),
        2,
        expect.stringMatching(message),
      ]);
    }
    const unreachable = await deputy(["whoami"], { DEPUTY_HOST: "http://127.0.0.1:9" });
    expect([unreachable.code, unreachable.stderr]).toEqual([
      1,
      expect.stringMatching(/Could not reach Deputy/),
    ]);
  }, 120_000);

  it("exchanges DEPUTY_IDENTITY_TOKEN_FILE's JWT first, caches the access token, and prints it on request", async () => {
    const idp = await startLocalIssuer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-cli-"));
    try {
      await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "CI" });
      await createServiceAccountFromForm(
        world.as.orgAdmin,
        { teamSlug: world.alpha.slug },
        {
          name: "ci-federated",
          authMethod: "FEDERATED",
          issuer: idp.issuer,
          subject: "repo:acme/*",
          audience: "deputy",
        },
      );
      const jwtFile = path.join(dir, "oidc-token");
      fs.writeFileSync(jwtFile, await idp.mint({ sub: "repo:acme/models", repository: "acme/models" }));
      const env = { DEPUTY_API_KEY: undefined, DEPUTY_IDENTITY_TOKEN_FILE: jwtFile, XDG_CACHE_HOME: dir };
      const grants = () => db.auditEvent.count({ where: { action: "token_exchange.granted" } });
      const before = await grants();
      const whoami = await deputy(["whoami", "--json"], env);
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(JSON.parse(whoami.stdout)).toMatchObject({
        principal: { name: "ci-federated" },
        credential: { type: "access_token", name: null },
      });
      const logged = await deputy(["run", "log", "--project", "federated-cli"], env);
      expect(logged.code, logged.stderr).toBe(0);
      // One exchange for both commands: the access token was cached until it expires.
      expect(await grants()).toBe(before + 1);
      const cached = fs.readdirSync(path.join(dir, "deputy"));
      expect(cached).toHaveLength(1);
      expect(fs.statSync(path.join(dir, "deputy", cached[0]!)).mode & 0o777).toBe(0o600);

      const printed = await deputy(["token", "exchange"], env);
      expect([printed.code, printed.stdout]).toEqual([0, expect.stringMatching(/^dpa_[A-Za-z0-9_]+\n$/)]);
      fs.writeFileSync(jwtFile, await idp.mint({ sub: "repo:evil/x" }));
      const refused = await deputy(["whoami"], env);
      expect([refused.code, refused.stderr]).toEqual([
        1,
        // Which kind of check failed (the subject), not the account's patterns (issue 15, item 3).
        expect.stringMatching(/Subject.*\(400 invalid_grant\)/),
      ]);
    } finally {
      await idp.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers --help on every command with exit 0", async () => {
    const commands: string[][] = [[]];
    const walk = (command: Command, prefix: string[]) => {
      for (const sub of command.commands) {
        if (sub.name() === "help") continue;
        commands.push([...prefix, sub.name()]);
        walk(sub, [...prefix, sub.name()]);
      }
    };
    walk(buildProgram({ stdout: process.stdout, stderr: process.stderr }, {}), []);
    expect(commands.length).toBeGreaterThan(15);
    for (const command of commands) {
      let out = "";
      const code = await run(
        [...command, "--help"],
        { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true } },
        {},
      );
      expect([command.join(" "), code]).toEqual([command.join(" "), 0]);
      expect(out).toMatch(/^Usage: deputy/);
    }
    const spawned = await deputy(["key", "create", "--help"]);
    expect([spawned.code, spawned.stdout]).toEqual([0, expect.stringMatching(/--service-account <account>/)]);
  });
});

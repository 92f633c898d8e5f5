// The `deputy` commands for the rest of the console (issue 16): team, member, project, grant,
// org, idp and key rename, as a spawned process (bin/deputy.mjs) against a real /api/v1 server
// and database. A bootstrap script's whole life from one org-scoped ADMIN key, tables for
// people, --json for scripts, a team-scoped key kept inside its team, and exit codes 0 / 1 / 2.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram } from "@/cli/program";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { db } from "@/lib/db";
import { runDeputy, type CliResult } from "../support/cli";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";
import { startLocalIssuer } from "../support/local-issuer";

let api: Awaited<ReturnType<typeof startApiServer>>;
let world: Awaited<ReturnType<typeof makeOrg>>;
let adminKey: string;
let teamAdminKey: string;

type Result = CliResult;

/** Runs the real CLI in its own process, against this file's API with the admin key unless overridden. */
function deputy(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return runDeputy(args, { DEPUTY_HOST: api.base, DEPUTY_API_KEY: adminKey, ...env });
}

/** Runs the CLI, expects exit 0, and parses its --json output. */
async function json<T>(args: string[], env: Record<string, string | undefined> = {}): Promise<T> {
  const result = await deputy([...args, "--json"], env);
  expect([args.join(" "), result.code, result.stderr]).toEqual([args.join(" "), 0, ""]);
  return JSON.parse(result.stdout) as T;
}

/** The header and rows of a table, and the column where each header starts. */
function parseTable(stdout: string) {
  const [header, ...rows] = stdout.trimEnd().split("\n");
  return { header: header!, rows, at: (name: string) => header!.indexOf(name) };
}

beforeAll(async () => {
  api = await startApiServer();
  world = await makeOrg();
  const admin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { orgSlug: world.org.slug },
    { name: "bootstrapper", role: "ADMIN", defaultTeam: world.alpha.slug },
  );
  adminKey = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "cli" })).secret;
  const teamAdmin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name: "alpha-bootstrapper", role: "ADMIN" },
  );
  teamAdminKey = (await createApiKeyFromForm(world.as.orgAdmin, teamAdmin.id, { name: "cli" })).secret;
});
afterAll(() => api.close());

describe("deputy team|member|project|grant|org|idp (spawned)", () => {
  it("bootstraps a team end to end from a script: team, members, restricted project, account, key, grant", async () => {
    const slug = `vision-${world.org.slug.slice(4)}`;
    const identity = `bootstrapper@${world.org.slug}.sa.deputy.local`;

    // The team.
    expect(await json(["team", "create", slug, "--name", "Vision"])).toMatchObject({
      slug,
      name: "Vision",
      members: 0,
      projects: 0,
      serviceAccounts: 0,
    });
    const renamed = await deputy(["team", "rename", slug, "--name", "Computer Vision"]);
    expect([renamed.code, renamed.stderr]).toEqual([0, ""]);
    expect(renamed.stdout).toMatch(/^Name: +Computer Vision$/m);
    const teams = parseTable((await deputy(["team", "list"])).stdout);
    expect(teams.header).toMatch(/^SLUG +NAME +MEMBERS +PROJECTS +SERVICE ACCOUNTS +CREATED$/);
    const teamRow = teams.rows.find((r) => r.startsWith(`${slug} `))!;
    expect(teamRow.indexOf("Computer Vision")).toBe(teams.at("NAME"));

    // Its people: only people already in the org, added, their role changed, one removed.
    const lead = world.people.orgMember.email;
    const helper = world.people.alphaViewer.email;
    expect(await json(["member", "add", "--team", slug, lead, "--role", "admin"])).toMatchObject({
      email: lead,
      role: "admin",
    });
    expect((await deputy(["member", "add", "--team", slug, helper])).stdout).toBe(
      `${helper} is now member in ${slug}.\n`,
    );
    expect((await deputy(["member", "add", "--team", slug, helper, "--role", "viewer"])).stdout).toBe(
      `${helper} is now viewer in ${slug}.\n`,
    );
    const members = parseTable((await deputy(["member", "list", "--team", slug])).stdout);
    expect(members.header).toMatch(/^EMAIL +NAME +ROLE$/);
    expect(members.rows.find((r) => r.startsWith(lead))).toMatch(/ admin$/);
    expect(members.rows.find((r) => r.startsWith(helper))).toMatch(/ viewer$/);
    expect((await deputy(["member", "remove", "--team", slug, helper])).stdout).toBe(
      `Removed ${helper} from ${slug}.\n`,
    );
    expect((await json<{ email: string }[]>(["member", "list", "--team", slug])).map((m) => m.email)).toEqual(
      [lead],
    );
    const stranger = await deputy(["member", "add", "--team", slug, "nobody@elsewhere.example"]);
    expect([stranger.code, stranger.stdout]).toEqual([1, ""]);
    expect(stranger.stderr).toMatch(
      /^deputy: nobody@elsewhere.example is not a member of .*\(4\d\d \w+\)\n$/,
    );

    // A restricted project, and the account that trains on it.
    expect(
      await json([
        "project",
        "create",
        `${slug}/models`,
        "--visibility",
        "restricted",
        "--description",
        "Production models",
      ]),
    ).toMatchObject({
      team: slug,
      name: "models",
      visibility: "restricted",
      description: "Production models",
    });
    const projects = parseTable((await deputy(["project", "list", "--team", slug])).stdout);
    expect(projects.header).toMatch(/^NAME +VISIBILITY +RUNS +CREATED +DESCRIPTION$/);
    expect(projects.rows).toEqual([
      expect.stringMatching(/^models +restricted +0 +\d{4}-.* UTC +Production models$/),
    ]);
    expect((await deputy(["project", "get", `${slug}/models`])).stdout).toMatch(/^Visibility: +restricted$/m);
    expect(
      await json(["project", "update", `${slug}/models`, "--description", "Shipped models"]),
    ).toMatchObject({
      visibility: "restricted",
      description: "Shipped models",
    });

    expect((await deputy(["sa", "create", "--name", "vision-ci", "--team", slug])).code).toBe(0);
    const secret = (
      await deputy(["key", "create", "--service-account", "vision-ci", "--name", "github-actions"])
    ).stdout.trim();
    const ci = { DEPUTY_API_KEY: secret, DEPUTY_ENTITY: slug, DEPUTY_PROJECT: "models" };

    // The step the seeds ask a project admin to do by hand: until the grant, the restricted
    // project refuses even its own team's account.
    const before = await deputy(["run", "log", "--name", "epoch-1"], ci);
    expect([before.code, before.stderr]).toEqual([1, expect.stringMatching(/\(403 restricted_project\)\n$/)]);
    expect(await json(["grant", "add", "--project", `${slug}/models`, "vision-ci"])).toMatchObject({
      type: "service_account",
      identity: `vision-ci@${world.org.slug}.sa.deputy.local`,
    });
    expect((await deputy(["grant", "add", "--project", `${slug}/models`, lead])).stdout).toBe(
      `Granted ${lead} access to ${slug}/models.\n`,
    );
    const logged = await deputy(["run", "log", "--name", "epoch-1"], ci);
    expect([logged.code, logged.stderr]).toEqual([0, ""]);
    expect(logged.stdout).toMatch(new RegExp(`to ${slug}/models\\.\\n$`));
    const grants = parseTable((await deputy(["grant", "list", "--project", `${slug}/models`])).stdout);
    expect(grants.header).toMatch(/^TYPE +IDENTITY +GRANTED$/);
    expect(grants.rows).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^service_account +vision-ci@`)),
        expect.stringMatching(new RegExp(`^user +${lead.replace(/[.]/g, "\\.")} `)),
      ]),
    );
    expect((await deputy(["grant", "remove", "--project", `${slug}/models`, lead])).stdout).toBe(
      `Removed ${lead}'s access to ${slug}/models.\n`,
    );
    expect(
      (await json<{ identity: string }[]>(["grant", "list", "--project", `${slug}/models`])).some((g) =>
        g.identity.startsWith("vision-ci@"),
      ),
    ).toBe(true);

    // Key rename: the name changes, the secret keeps working.
    const [key] = await json<{ id: string }[]>(["key", "list", "--service-account", "vision-ci"]);
    const renamedKey = await deputy([
      "key",
      "rename",
      "--service-account",
      "vision-ci",
      key!.id,
      "--name",
      "github-actions-deploy",
    ]);
    expect([renamedKey.code, renamedKey.stderr]).toEqual([0, ""]);
    expect(parseTable(renamedKey.stdout).rows).toEqual([
      expect.stringMatching(new RegExp(`^${key!.id} +github-actions-deploy +dpt_…\\w{4} +active `)),
    ]);
    expect(renamedKey.stdout).not.toContain(secret);
    expect((await deputy(["whoami"], ci)).code).toBe(0);

    // The org's people, read-only.
    const people = await json<{ email: string; teams: { team: string; role: string }[] }[]>([
      "org",
      "members",
    ]);
    expect(people.find((p) => p.email === lead)?.teams).toEqual(
      expect.arrayContaining([{ team: slug, role: "admin" }]),
    );
    const peopleTable = parseTable((await deputy(["org", "members"])).stdout);
    expect(peopleTable.header).toMatch(/^EMAIL +NAME +ROLE +TEAMS$/);
    expect(peopleTable.rows.find((r) => r.startsWith(lead))).toContain(`${slug} (admin)`);

    // A team with a project or a live account is not deleted; an empty one is.
    const early = await deputy(["team", "delete", slug]);
    expect([early.code, early.stderr]).toEqual([1, expect.stringMatching(/\(409 conflict\)\n$/)]);
    const withRuns = await deputy(["project", "delete", `${slug}/models`]);
    expect([withRuns.code, withRuns.stderr]).toEqual([1, expect.stringMatching(/\(409 conflict\)\n$/)]);
    expect(await json(["project", "create", `${slug}/scratch`])).toMatchObject({ visibility: "team" });
    expect((await deputy(["project", "delete", `${slug}/scratch`])).stdout).toBe(
      `Deleted project ${slug}/scratch.\n`,
    );
    const gone = await deputy(["project", "get", `${slug}/scratch`]);
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringMatching(/\(404 not_found\)\n$/)]);

    // Every change above is audited under the acting account's identity.
    const changes = await db.auditEvent.findMany({
      where: { orgId: world.org.id, actorIdentity: identity },
      select: { action: true },
    });
    const actions = new Set(changes.map((c) => c.action));
    for (const action of [
      "team.created",
      "team.renamed",
      "team.member_added",
      "team.member_role_changed",
      "team.member_removed",
      "project.created",
      "project.updated",
      "project.access_granted",
      "project.access_removed",
      "project.deleted",
      "service_account.created",
      "api_key.created",
      "api_key.renamed",
    ]) {
      expect([action, actions.has(action)]).toEqual([action, true]);
    }
  }, 180_000);

  it("trusts, lists and removes an identity provider", async () => {
    const idp = await startLocalIssuer();
    try {
      const added = await json<{ id: string; issuer: string; keyCount: number; trustedBy: string[] }>([
        "idp",
        "add",
        "--issuer",
        idp.issuer,
        "--name",
        "Local CI",
      ]);
      expect(added).toMatchObject({ issuer: idp.issuer, trustedBy: [] });
      expect(added.keyCount).toBeGreaterThan(0);
      const listed = parseTable((await deputy(["idp", "list"])).stdout);
      expect(listed.header).toMatch(/^ID +NAME +ISSUER +KEYS +REFRESHED +TRUSTED BY$/);
      expect(listed.rows.find((r) => r.startsWith(added.id))).toMatch(
        / Local CI +http:\/\/127\.0\.0\.1:\d+ +\d+ /,
      );
      const twice = await deputy(["idp", "add", "--issuer", idp.issuer, "--name", "Again"]);
      expect([twice.code, twice.stderr]).toEqual([1, expect.stringMatching(/\(409 \w+\)\n$/)]);
      expect((await deputy(["idp", "remove", added.id])).stdout).toBe(
        `Removed identity provider ${added.id}.\n`,
      );
      expect(await json(["idp", "list"])).toEqual([]);
      const again = await deputy(["idp", "remove", added.id, "--json"]);
      expect([again.code, again.stdout, again.stderr]).toEqual([
        1,
        "",
        expect.stringMatching(/404 not_found/),
      ]);
    } finally {
      await idp.close();
    }
  });

  it("keeps a team-scoped ADMIN key inside its team", async () => {
    const scoped = { DEPUTY_API_KEY: teamAdminKey };
    expect((await json<{ slug: string }[]>(["team", "list"], scoped)).map((t) => t.slug)).toEqual([
      world.alpha.slug,
    ]);
    const refusals: [string[], RegExp][] = [
      [["team", "create", "gamma", "--name", "Gamma"], /\(403 forbidden\)/],
      [["team", "delete", world.alpha.slug], /\(403 forbidden\)/],
      [["team", "get", world.beta.slug], /\(404 not_found\)/],
      [["member", "list", "--team", world.beta.slug], /\(404 not_found\)/],
      [["project", "create", `${world.beta.slug}/intrusion`], /\(404 not_found\)/],
      [["org", "members"], /\(403 forbidden\)/],
      [["idp", "list"], /\(403 forbidden\)/],
    ];
    for (const [args, message] of refusals) {
      const result = await deputy(args, scoped);
      expect([args.join(" "), result.code, result.stdout, result.stderr]).toEqual([
        args.join(" "),
        1,
        "",
        expect.stringMatching(message),
      ]);
    }
    // Inside its own team it manages projects and their grants.
    expect(
      await json(
        ["project", "create", `${world.alpha.slug}/alpha-restricted`, "--visibility", "restricted"],
        scoped,
      ),
    ).toMatchObject({ team: world.alpha.slug, visibility: "restricted" });
    expect(
      await json(
        ["grant", "add", "--project", `${world.alpha.slug}/alpha-restricted`, world.people.alphaMember.email],
        scoped,
      ),
    ).toMatchObject({ type: "user", identity: world.people.alphaMember.email });
  });

  it("answers usage errors with exit 2 before calling the API", async () => {
    const usage: [string[], RegExp][] = [
      [["team", "create", "x"], /required option '--name <name>'/],
      [["team", "rename", "x"], /required option '--name <name>'/],
      [["member", "list"], /required option '--team <team>'/],
      [
        ["member", "add", "--team", "x", "a@example.test", "--role", "owner"],
        /Allowed choices are admin, member, viewer/,
      ],
      [["project", "get", "no-slash"], /Use <team>\/<project>/],
      [["project", "get", "a/b/c"], /Use <team>\/<project>/],
      [
        ["project", "create", "a/b", "--visibility", "secret"],
        /Allowed choices are open, public, team, restricted/,
      ],
      [["project", "update", "a/b"], /Say what to change: --visibility or --description/],
      [["project", "list"], /required option '--team <team>'/],
      [["grant", "list"], /required option '--project <team\/project>'/],
      [["grant", "add", "--project", "a", "x"], /Use <team>\/<project>/],
      [["key", "rename", "--service-account", "a", "k"], /required option '--name <name>'/],
      [["idp", "add", "--name", "x"], /required option '--issuer <url>'/],
    ];
    // A host where nothing answers: a usage error must not even try it.
    for (const [args, message] of usage) {
      const result = await deputy(args, { DEPUTY_HOST: "http://127.0.0.1:9" });
      expect([args.join(" "), result.code, result.stderr]).toEqual([
        args.join(" "),
        2,
        expect.stringMatching(message),
      ]);
    }
  }, 120_000);

  it("takes --json on every command; the deletions then print nothing", async () => {
    const leaves: string[] = [];
    const walk = (command: Command, prefix: string[]) => {
      for (const sub of command.commands) {
        if (sub.name() === "help") continue;
        const name = [...prefix, sub.name()];
        if (sub.commands.length === 0) {
          expect([name.join(" "), sub.options.some((o) => o.long === "--json")]).toEqual([
            name.join(" "),
            true,
          ]);
          leaves.push(name.join(" "));
        }
        walk(sub, name);
      }
    };
    walk(buildProgram({ stdout: process.stdout, stderr: process.stderr }, {}), []);
    expect(leaves).toEqual(
      expect.arrayContaining([
        "team delete",
        "member remove",
        "project delete",
        "grant remove",
        "org members",
        "idp remove",
        "key rename",
      ]),
    );
    const slug = `json-${world.org.slug.slice(4)}`;
    expect(await json(["team", "create", slug, "--name", "JSON"])).toMatchObject({ slug });
    expect(await deputy(["team", "delete", slug, "--json"])).toEqual({ code: 0, stdout: "", stderr: "" });
    const gone = await deputy(["team", "get", slug]);
    expect([gone.code, gone.stderr]).toEqual([1, expect.stringMatching(/404 not_found/)]);
  });
});

describe("deputy key create|restrict with restrictions (rule 24, spawned)", () => {
  it("creates a read-only key for one project from one network, narrows it later, and refuses misuse", async () => {
    await db.project.create({ data: { teamId: world.alpha.id, name: "cli-restricted", visibility: "TEAM" } });
    const account = `cli-reader-${world.org.slug.slice(4)}`;
    await json(["sa", "create", "--name", account, "--team", world.alpha.slug, "--role", "member"]);
    const project = `${world.alpha.slug}/cli-restricted`;
    const created = await json<{ id: string; secret: string; restrictions: unknown }>([
      "key",
      "create",
      "--service-account",
      account,
      "--name",
      "reader",
      "--read-only",
      "--project",
      project,
      "--allow-ip",
      "127.0.0.1",
      "--allow-ip",
      "10.9.8.7/8",
    ]);
    expect(created.restrictions).toEqual({
      permission: "read",
      projects: [project],
      allowedIps: ["127.0.0.1/32", "10.0.0.0/8"],
    });
    const listed = await deputy(["key", "list", "--service-account", account]);
    expect(listed.stdout).toContain(`read only · ${project} · 127.0.0.1/32 10.0.0.0/8`);

    // Used by a job: reads the project, its write is refused with the restriction's code.
    const write = await deputy(["run", "log", "--project", "cli-restricted"], {
      DEPUTY_API_KEY: created.secret,
    });
    expect([write.code, write.stderr]).toEqual([
      1,
      expect.stringMatching(/read-only.*\(403 scope_denied\)/) as string,
    ]);

    const narrowed = await json<{ restrictions: unknown }>([
      "key",
      "restrict",
      created.id,
      "--service-account",
      account,
      "--allow-ip",
      "192.0.2.0/24",
      "--all-projects",
    ]);
    expect(narrowed.restrictions).toEqual({
      permission: "read",
      projects: null,
      allowedIps: ["192.0.2.0/24"],
    });
    const refused = await deputy(["whoami"], { DEPUTY_API_KEY: created.secret });
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringMatching(/\(403 ip_not_allowed\)/) as string,
    ]);

    const widened = await deputy([
      "key",
      "restrict",
      created.id,
      "--service-account",
      account,
      "--permission",
      "admin",
    ]);
    expect([widened.code, widened.stderr]).toEqual([
      1,
      expect.stringMatching(/only narrow.*\(400 invalid_request\)/) as string,
    ]);
    const both = await deputy([
      "key",
      "create",
      "--service-account",
      account,
      "--name",
      "x",
      "--read-only",
      "--permission",
      "write",
    ]);
    expect([both.code, both.stderr]).toEqual([
      2,
      expect.stringMatching(/--read-only or --permission/) as string,
    ]);
    const nothing = await deputy(["key", "restrict", created.id, "--service-account", account]);
    expect(nothing.code).toBe(2);
  });
});

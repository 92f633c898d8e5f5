// The `deputy` command (SPEC §5): every subcommand is one or two calls of the typed client.
// Exit codes: 0 success, 1 the API refused or could not be reached (its message on stderr),
// 2 a usage error (commander's own, or a missing setting).
// Everything it prints goes through safeWriter (cli/safe-text.ts): no text from the API or the
// network reaches the terminal with control characters in it.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ApiRefusal, Unreachable, createClient, plainHttpRemoteHost, type DeputyClient } from "./client";
import { exchangedToken, UsageError } from "./identity-token";
import { json, record, table, when } from "./output";
import { safeWriter } from "./safe-text";

type Io = { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } };
type Env = Record<string, string | undefined>;

const DEFAULT_HOST = "http://localhost:3000";

function parseDays(value: string): number | null {
  if (value === "never") return null;
  const match = /^(\d{1,4})d?$/.exec(value);
  if (!match) throw new InvalidArgumentError('Use a number of days like 90d, or "never".');
  return Number(match[1]);
}

function parsePairs(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const at = value.indexOf("=");
  if (at < 1) throw new InvalidArgumentError("Use key=value, like lr=0.01.");
  const raw = value.slice(at + 1);
  let parsed: unknown = raw;
  try {
    // Numbers, booleans and JSON stay typed: lr=0.01 is a number, tags=["a"] a list.
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  return { ...previous, [value.slice(0, at)]: parsed };
}

function parseGrace(value: string): number {
  const match = /^(\d{1,3})(h|d)?$/.exec(value.trim().toLowerCase());
  const hours = value === "immediately" ? 0 : match ? Number(match[1]) * (match[2] === "d" ? 24 : 1) : NaN;
  if (!Number.isInteger(hours) || hours < 0 || hours > 168) {
    throw new InvalidArgumentError("Use 0, hours like 24h or days like 7d, at most 7 days.");
  }
  return hours;
}

function parseSince(value: string): Date {
  const match = /^(\d{1,5})(m|h|d)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError("Use minutes, hours or days, like 30m, 24h or 7d.");
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
  return new Date(Date.now() - Number(match[1]) * unit);
}

function parseAuditLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw new InvalidArgumentError("Use a whole number from 1 to 1000.");
  return n;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidArgumentError("Use a whole number from 1 to 100.");
  return n;
}

type Account = Awaited<ReturnType<DeputyClient["getServiceAccount"]>>["serviceAccount"];
type Key = Awaited<ReturnType<DeputyClient["listKeys"]>>["keys"][number];

function printAccount(io: Io, account: Account) {
  record(io.stdout, [
    ["Name", account.name],
    ["Identity", account.identity],
    ["ID", account.id],
    ["Scope", account.scope],
    ["Team", account.team],
    ["Role", account.role],
    ["Status", account.status],
    ["Auth method", account.authMethod],
    ["Description", account.description || "—"],
    ...(account.federation
      ? ([
          ["Issuer", account.federation.issuer],
          ["Subject", account.federation.subject],
          ["Audience", account.federation.audience],
        ] as [string, string][])
      : []),
    ["Active keys", String(account.keyCount)],
    ["Created", `${when(account.createdAt)} by ${account.createdBy}`],
    ["Last used", when(account.lastUsedAt)],
  ]);
}

function printKeys(io: Io, keys: Key[]) {
  table(
    io.stdout,
    ["ID", "NAME", "KEY", "STATUS", "CREATED", "EXPIRES", "LAST USED", "CREATED BY"],
    keys.map((k) => [
      k.id,
      k.name,
      `dpt_…${k.last4}`,
      k.status,
      when(k.createdAt),
      when(k.expiresAt),
      when(k.lastUsedAt),
      k.createdBy,
    ]),
    "No keys.",
  );
}

/** Every write of `io` made safe for a terminal (idempotent: safe text stays as it is). */
const safeIo = (io: Io): Io => ({ stdout: safeWriter(io.stdout), stderr: safeWriter(io.stderr) });

/** Builds the program. `run` is separate so tests and the bin share it. */
export function buildProgram(rawIo: Io, env: Env) {
  const io = safeIo(rawIo);
  let client: Promise<DeputyClient> | null = null;
  const host = () => env.DEPUTY_HOST?.trim() || DEFAULT_HOST;
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  let warnedPlainHttp = false;
  /** One line on stderr, before the first credential leaves for a non-loopback http:// host. */
  const beforeSending = (what: string) => {
    const remote = plainHttpRemoteHost(host());
    if (remote && !warnedPlainHttp) {
      warnedPlainHttp = true;
      warn(`deputy: warning: sending ${what} over plain http:// to ${remote}; use https://`);
    }
  };
  const exchange = (options: { serviceAccount?: string; fresh?: boolean } = {}) => {
    beforeSending("your workload's identity token and access token");
    return exchangedToken(host(), env, { ...options, warn });
  };
  /** An API key, or (with DEPUTY_IDENTITY_TOKEN_FILE) an access token exchanged for the JWT. */
  const credential = async (): Promise<string> => {
    const key = env.DEPUTY_API_KEY?.trim();
    if (key) {
      beforeSending("your API key");
      return key;
    }
    if (env.DEPUTY_IDENTITY_TOKEN_FILE) return (await exchange()).token;
    throw new UsageError(
      "Set DEPUTY_API_KEY to a service account's API key, or DEPUTY_IDENTITY_TOKEN_FILE to a file holding your workload's JWT (create a key in the console: Service Accounts → Actions → Create API key).",
    );
  };
  const api = (): Promise<DeputyClient> => {
    client ??= credential().then((token) => createClient({ host: host(), token, userAgent: "deputy-cli" }));
    return client;
  };

  const program = new Command("deputy")
    .description("Manage Deputy service accounts and log runs from a terminal or a pipeline.")
    .addHelpText(
      "after",
      [
        "",
        "Environment:",
        "  DEPUTY_API_KEY     a service account's API key (management commands need an ADMIN account)",
        `  DEPUTY_HOST        where Deputy answers (default ${DEFAULT_HOST})`,
        "  DEPUTY_ENTITY      the team runs go to (default: the account's own team)",
        "  DEPUTY_PROJECT     the project of run log and runs list",
        "  DEPUTY_USERNAME    attribute logged runs to this person (or DEPUTY_USER_EMAIL)",
        "",
        "Exit codes: 0 success, 1 refused by the API or unreachable (message on stderr), 2 usage error.",
      ].join("\n"),
    )
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError("(add --help for usage)");

  const jsonOption = () => new Option("--json", "print the API's JSON objects, for scripts");

  program
    .command("whoami")
    .description("Show the service account and credential in use")
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const viewer = await (await api()).getViewer();
      if (options.json) return json(io.stdout, viewer);
      const p = viewer.principal;
      record(io.stdout, [
        ["Service account", p.name],
        ["Identity", p.identity],
        ["Scope", p.scope],
        ["Organization", p.organization],
        ["Team", p.team ?? "—"],
        ["Default entity", p.defaultEntity],
        ["Role", p.role],
        ["Credential", `${viewer.credential.type} ${viewer.credential.name ?? ""}`.trim()],
        ["Expires", when(viewer.credential.expiresAt)],
      ]);
    });

  const sa = program.command("sa").description("Service accounts (needs an ADMIN account's key)");

  sa.command("list")
    .description("List service accounts, by name")
    .addOption(new Option("--scope <scope>", "org or team").choices(["org", "team"]))
    .option("--team <team>", "only accounts of this team (parent or default team)")
    .addOption(new Option("--status <status>", "active or disabled").choices(["active", "disabled"]))
    .addOption(new Option("--auth-method <method>", "api_key or federated").choices(["api_key", "federated"]))
    .option("-q, --search <text>", "names containing this text")
    .addOption(jsonOption())
    .action(
      async (options: {
        scope?: "org" | "team";
        team?: string;
        status?: "active" | "disabled";
        authMethod?: "api_key" | "federated";
        search?: string;
        json?: boolean;
      }) => {
        const accounts: Account[] = [];
        let cursor: string | undefined;
        do {
          const page = await (
            await api()
          ).listServiceAccounts({
            scope: options.scope,
            team: options.team,
            status: options.status,
            authMethod: options.authMethod,
            q: options.search,
            limit: 100,
            cursor,
          });
          accounts.push(...page.serviceAccounts);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        if (options.json) return json(io.stdout, accounts);
        table(
          io.stdout,
          ["NAME", "SCOPE", "TEAM", "ROLE", "STATUS", "AUTH", "KEYS", "LAST USED"],
          accounts.map((a) => [
            a.name,
            a.scope,
            a.team,
            a.role,
            a.status,
            a.authMethod,
            String(a.keyCount),
            when(a.lastUsedAt),
          ]),
          "No service accounts match.",
        );
      },
    );

  sa.command("create")
    .description("Create a service account (team-scoped unless --org-scope)")
    .requiredOption("--name <name>", "lowercase letters, digits and dashes, like ci-model-training")
    .requiredOption("--team <team>", "parent team, or the default team of an org-scoped account")
    .option("--org-scope", "create an org-scoped account (org-scoped ADMIN callers only)")
    .addOption(new Option("--role <role>", "admin, member or viewer").choices(["admin", "member", "viewer"]))
    .option("--description <text>", "what the account is for")
    .option("--federated", "authenticate with a JWT from an identity provider instead of API keys")
    .option("--issuer <url>", "federated: the trusted issuer")
    .option("--subject <pattern>", "federated: the subject, exact or with * globs")
    .option("--audience <audience>", "federated: the expected audience")
    .option("--claim <name=pattern...>", "federated: an extra claim condition (repeatable)", (v, p) =>
      parsePairs(v, p as Record<string, unknown> | undefined),
    )
    .addOption(jsonOption())
    .action(
      async (options: {
        name: string;
        team: string;
        orgScope?: boolean;
        role?: string;
        description?: string;
        federated?: boolean;
        issuer?: string;
        subject?: string;
        audience?: string;
        claim?: Record<string, unknown>;
        json?: boolean;
      }) => {
        if (options.federated && !(options.issuer && options.subject && options.audience)) {
          throw new UsageError("--federated needs --issuer, --subject and --audience.");
        }
        const { serviceAccount } = await (
          await api()
        ).createServiceAccount({
          name: options.name,
          scope: options.orgScope ? "org" : "team",
          team: options.team,
          role: options.role,
          description: options.description,
          ...(options.federated
            ? {
                authMethod: "federated",
                federation: {
                  issuer: options.issuer!,
                  subject: options.subject!,
                  audience: options.audience!,
                  claims: Object.fromEntries(
                    Object.entries(options.claim ?? {}).map(([k, v]) => [k, String(v)]),
                  ),
                },
              }
            : {}),
        });
        if (options.json) return json(io.stdout, serviceAccount);
        printAccount(io, serviceAccount);
      },
    );

  sa.command("get")
    .description("Show one service account")
    .argument("<account>", "name or id")
    .addOption(jsonOption())
    .action(async (account: string, options: { json?: boolean }) => {
      const { serviceAccount } = await (await api()).getServiceAccount(account);
      if (options.json) return json(io.stdout, serviceAccount);
      printAccount(io, serviceAccount);
    });

  sa.command("update")
    .description("Change a service account's name, description or role")
    .argument("<account>", "name or id")
    .option("--name <name>", "a new name")
    .option("--description <text>", "a new description")
    .addOption(new Option("--role <role>", "admin, member or viewer").choices(["admin", "member", "viewer"]))
    .addOption(jsonOption())
    .action(
      async (
        account: string,
        options: { name?: string; description?: string; role?: string; json?: boolean },
      ) => {
        if (options.name === undefined && options.description === undefined && options.role === undefined) {
          throw new UsageError("Say what to change: --name, --description or --role.");
        }
        const { serviceAccount } = await (
          await api()
        ).updateServiceAccount(account, {
          name: options.name,
          description: options.description,
          role: options.role,
        });
        if (options.json) return json(io.stdout, serviceAccount);
        printAccount(io, serviceAccount);
      },
    );

  for (const [verb, status, done] of [
    ["disable", "disabled", "Disabled"],
    ["enable", "active", "Enabled"],
  ] as const) {
    sa.command(verb)
      .description(
        verb === "disable" ? "Disable an account: its keys are refused" : "Enable an account again",
      )
      .argument("<account>", "name or id")
      .addOption(jsonOption())
      .action(async (account: string, options: { json?: boolean }) => {
        const { serviceAccount } = await (await api()).updateServiceAccount(account, { status });
        if (options.json) return json(io.stdout, serviceAccount);
        io.stdout.write(`${done} ${serviceAccount.name}.\n`);
      });
  }

  sa.command("delete")
    .description("Delete an account: every key is revoked; its audit history stays")
    .argument("<account>", "name or id")
    .action(async (account: string) => {
      await (await api()).deleteServiceAccount(account);
      io.stdout.write(`Deleted ${account}; its keys are revoked.\n`);
    });

  const key = program
    .command("key")
    .description("API keys of a service account (needs an ADMIN account's key)");
  const accountOption = () =>
    new Option("--service-account <account>", "the account's name or id").makeOptionMandatory();

  key
    .command("create")
    .description("Create a key and print its secret once (only the secret, unless --json)")
    .addOption(accountOption())
    .requiredOption("--name <name>", "what uses the key, like github-actions")
    .option("--expires-in <days>", 'days until it expires, like 90d, or "never" (default 90d)', parseDays)
    .addOption(jsonOption())
    .action(
      async (options: {
        serviceAccount: string;
        name: string;
        expiresIn?: number | null;
        json?: boolean;
      }) => {
        const { key: created } = await (
          await api()
        ).createKey(options.serviceAccount, {
          name: options.name,
          ...(options.expiresIn !== undefined ? { expiresInDays: options.expiresIn } : {}),
        });
        if (options.json) return json(io.stdout, created);
        // stdout holds the secret alone, so `export DEPUTY_API_KEY=$(deputy key create …)` works.
        io.stdout.write(`${created.secret}\n`);
        io.stderr.write(
          `Created key ${created.name} (${created.id}) for ${options.serviceAccount}, expires ${when(created.expiresAt)}. ` +
            "This is the only time the secret is shown.\n",
        );
      },
    );

  key
    .command("list")
    .description("List an account's keys")
    .addOption(accountOption())
    .addOption(jsonOption())
    .action(async (options: { serviceAccount: string; json?: boolean }) => {
      const { keys } = await (await api()).listKeys(options.serviceAccount);
      if (options.json) return json(io.stdout, keys);
      printKeys(io, keys);
    });

  key
    .command("revoke")
    .description("Revoke a key at once")
    .addOption(accountOption())
    .argument("<key-id>", "the key's id, or the key id inside its token (dpt_<key id>_…)")
    .action(async (keyId: string, options: { serviceAccount: string }) => {
      await (await api()).revokeKey(options.serviceAccount, keyId);
      io.stdout.write(`Revoked key ${keyId} of ${options.serviceAccount}.\n`);
    });

  key
    .command("rotate")
    .description("Rotate a key: print the new secret once; the old key works until the grace period ends")
    .addOption(accountOption())
    .argument("<key-id>", "the key's id, or the key id inside its token (dpt_<key id>_…)")
    .option(
      "--grace <period>",
      "how long the old key keeps working: 0, 1h, 24h, 7d … up to 168h (default 0)",
      parseGrace,
      0,
    )
    .addOption(jsonOption())
    .action(async (keyId: string, options: { serviceAccount: string; grace: number; json?: boolean }) => {
      const rotated = await (
        await api()
      ).rotateKey(options.serviceAccount, keyId, { graceHours: options.grace });
      if (options.json) return json(io.stdout, rotated);
      io.stdout.write(`${rotated.key.secret}\n`);
      io.stderr.write(
        `Rotated ${rotated.previous.name}: the old key (…${rotated.previous.last4}) stops working ${options.grace === 0 ? "now" : `at ${when(rotated.previous.expiresAt)}`}. ` +
          "This is the only time the new secret is shown.\n",
      );
    });

  const runDefaults = (options: { project?: string; entity?: string }) => {
    const project = options.project ?? env.DEPUTY_PROJECT;
    if (!project) throw new UsageError("Name the project: --project p, or set DEPUTY_PROJECT.");
    return { project, entity: options.entity ?? env.DEPUTY_ENTITY };
  };

  program
    .command("run")
    .description("Write runs")
    .command("log")
    .description("Write a run (attributed to DEPUTY_USERNAME or DEPUTY_USER_EMAIL when set)")
    .option("--project <project>", "the project (default DEPUTY_PROJECT); created in your team if missing")
    .option("--entity <team>", "the team (default DEPUTY_ENTITY, else the account's own team)")
    .option("--name <name>", "the run's name")
    .option("--config <key=value...>", "a config value (repeatable)", (v, p) =>
      parsePairs(v, p as Record<string, unknown> | undefined),
    )
    .option("--summary <key=value...>", "a summary value (repeatable)", (v, p) =>
      parsePairs(v, p as Record<string, unknown> | undefined),
    )
    .addOption(jsonOption())
    .action(
      async (options: {
        project?: string;
        entity?: string;
        name?: string;
        config?: Record<string, unknown>;
        summary?: Record<string, unknown>;
        json?: boolean;
      }) => {
        const { project, entity } = runDefaults(options);
        const answer = await (
          await api()
        ).createRun({
          project,
          ...(entity ? { entity } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.config ? { config: options.config } : {}),
          ...(options.summary ? { summary: options.summary } : {}),
          ...(env.DEPUTY_USERNAME ? { username: env.DEPUTY_USERNAME } : {}),
          ...(env.DEPUTY_USER_EMAIL ? { userEmail: env.DEPUTY_USER_EMAIL } : {}),
        });
        if (options.json) return json(io.stdout, answer);
        const { run } = answer;
        io.stdout.write(`Logged run ${run.name} (${run.id}) to ${run.entity}/${run.project}.\n`);
        for (const warning of answer.warnings) io.stderr.write(`Warning: ${warning}\n`);
      },
    );

  program
    .command("runs")
    .description("Read runs")
    .command("list")
    .description("List a project's runs, newest first")
    .option("--project <project>", "the project (default DEPUTY_PROJECT)")
    .option("--entity <team>", "the team (default DEPUTY_ENTITY, else the account's own team)")
    .option("--limit <n>", "how many (1–100, default 20)", parseLimit, 20)
    .addOption(jsonOption())
    .action(async (options: { project?: string; entity?: string; limit: number; json?: boolean }) => {
      const { project, entity } = runDefaults(options);
      const team = entity ?? (await (await api()).getViewer()).principal.defaultEntity;
      const { runs } = await (await api()).listRuns(team, project, { limit: options.limit });
      if (options.json) return json(io.stdout, runs);
      table(
        io.stdout,
        ["ID", "NAME", "CREATED", "CREATED BY", "ATTRIBUTED TO"],
        runs.map((r) => [r.id, r.name, when(r.createdAt), r.createdBy, r.attributedTo ?? "—"]),
        `No runs in ${team}/${project} yet.`,
      );
    });

  program
    .command("audit")
    .description("Read the audit log, newest first (needs an org-scoped ADMIN account's key)")
    .addOption(
      new Option("--actor-type <type>", "user, service_account, system or anonymous").choices([
        "user",
        "service_account",
        "system",
        "anonymous",
      ]),
    )
    .option("--actor <identity>", "an actor's email, display identity or id")
    .option("--action <action>", "an action, like api_key.revoked")
    .option("--target <name>", "a target's name or id")
    .option("-q, --search <text>", "text in the actor's or target's identity")
    .option("--since <period>", "only events newer than this: 30m, 24h, 7d", parseSince)
    .option("--limit <n>", "at most this many events (1–1000, default 50)", parseAuditLimit, 50)
    .addOption(jsonOption())
    .action(
      async (options: {
        actorType?: string;
        actor?: string;
        action?: string;
        target?: string;
        search?: string;
        since?: Date;
        limit: number;
        json?: boolean;
      }) => {
        const { events } = await (
          await api()
        ).listAuditEvents({
          actorType: options.actorType,
          actor: options.actor,
          action: options.action,
          target: options.target,
          q: options.search,
          from: options.since?.toISOString(),
          limit: options.limit,
        });
        if (options.json) return json(io.stdout, events);
        table(
          io.stdout,
          ["TIME", "ACTOR TYPE", "ACTOR", "ACTION", "TARGET"],
          events.map((e) => [when(e.time), e.actor.type, e.actor.identity, e.action, e.target?.name ?? "—"]),
          "No events match.",
        );
      },
    );

  program
    .command("token")
    .description("Access tokens")
    .command("exchange")
    .description("Exchange the JWT in DEPUTY_IDENTITY_TOKEN_FILE for an access token and print it")
    .option("--service-account <account>", "which account, when several trust the same issuer and subject")
    .addOption(jsonOption())
    .action(async (options: { serviceAccount?: string; json?: boolean }) => {
      if (!env.DEPUTY_IDENTITY_TOKEN_FILE) {
        throw new UsageError("Set DEPUTY_IDENTITY_TOKEN_FILE to a file holding your workload's JWT.");
      }
      const exchanged = await exchange({ serviceAccount: options.serviceAccount, fresh: true });
      if (options.json)
        return json(io.stdout, { access_token: exchanged.token, expires_at: exchanged.expiresAt });
      io.stdout.write(`${exchanged.token}\n`);
    });

  return program;
}

/** Runs the CLI with arguments (without node and script); resolves to the exit code. */
export async function run(argv: string[], rawIo: Io, env: Env): Promise<number> {
  const io = safeIo(rawIo);
  const program = buildProgram(io, env);
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; anything else commander refused is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`deputy: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ApiRefusal) {
      io.stderr.write(`deputy: ${error.message} (${error.status} ${error.code})\n`);
      return 1;
    }
    if (error instanceof Unreachable) {
      io.stderr.write(`deputy: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

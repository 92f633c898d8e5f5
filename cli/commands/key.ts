// deputy key …: API keys of a service account (…/service-accounts/<account>/keys[/<keyId>[/rotate]]).
import { Option, type Command } from "commander";
import type { ApiKey } from "../client";
import type { CliContext, Io } from "../context";
import { jsonNoContentOption, jsonOption, parseDays, parseGrace } from "../options";
import { json, table, when } from "../output";
import { UsageError } from "../identity-token";

/** A key's restrictions in words, as the console's key row says them (rule 24). */
function restrictionWords(r: ApiKey["restrictions"]): string {
  const parts = [
    r.permission === "read" ? "read only" : r.permission === "write" ? "read and write" : "admin",
  ];
  if (r.projects) parts.push(r.projects.join(" "));
  if (r.allowedIps) parts.push(r.allowedIps.join(" "));
  return parts.join(" · ");
}

function printKeys(io: Io, keys: ApiKey[]) {
  table(
    io.stdout,
    ["ID", "NAME", "KEY", "STATUS", "RESTRICTIONS", "CREATED", "EXPIRES", "LAST USED", "CREATED BY"],
    keys.map((k) => [
      k.id,
      k.name,
      `dpt_…${k.last4}`,
      k.status,
      restrictionWords(k.restrictions),
      when(k.createdAt),
      when(k.expiresAt),
      when(k.lastUsedAt),
      k.createdBy,
    ]),
    "No keys.",
  );
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

type RestrictionFlags = {
  readOnly?: boolean;
  permission?: "read" | "write" | "admin";
  project?: string[];
  allowIp?: string[];
};

/** Restriction flags shared by create and restrict; only the flags given become fields. */
function addRestrictionOptions(command: Command): Command {
  return command
    .option("--read-only", "the key may only read (same as --permission read)")
    .addOption(
      new Option(
        "--permission <level>",
        "at most read, write or admin (never more than the account's role)",
      ).choices(["read", "write", "admin"]),
    )
    .option("--project <team/project>", "the key may touch only this project (repeatable)", collect)
    .option(
      "--allow-ip <cidr>",
      "the key works only from this IP range, like 10.0.0.0/8 (repeatable)",
      collect,
    );
}

function restrictionsOf(flags: RestrictionFlags) {
  if (flags.readOnly && flags.permission && flags.permission !== "read") {
    throw new UsageError("use --read-only or --permission, not both.");
  }
  return {
    ...(flags.readOnly || flags.permission ? { permission: flags.readOnly ? "read" : flags.permission } : {}),
    ...(flags.project ? { projects: flags.project } : {}),
    ...(flags.allowIp ? { allowedIps: flags.allowIp } : {}),
  };
}

const accountOption = () =>
  new Option("--service-account <account>", "the account's name or id").makeOptionMandatory();

export function registerKeyCommands(program: Command, { io, api }: CliContext): void {
  const key = program
    .command("key")
    .description("API keys of a service account (needs an ADMIN account's key)");

  addRestrictionOptions(
    key
      .command("create")
      .description("Create a key and print its secret once (only the secret, unless --json)")
      .addOption(accountOption())
      .requiredOption("--name <name>", "what uses the key, like github-actions")
      .option("--expires-in <days>", 'days until it expires, like 90d, or "never" (default 90d)', parseDays),
  )
    .addOption(jsonOption())
    .action(
      async (
        options: {
          serviceAccount: string;
          name: string;
          expiresIn?: number | null;
          json?: boolean;
        } & RestrictionFlags,
      ) => {
        const restrictions = restrictionsOf(options);
        const { key: created } = await (
          await api()
        ).createKey(options.serviceAccount, {
          name: options.name,
          ...(options.expiresIn !== undefined ? { expiresInDays: options.expiresIn } : {}),
          ...(Object.keys(restrictions).length > 0 ? { restrictions } : {}),
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
    .addOption(jsonNoContentOption())
    .action(async (keyId: string, options: { serviceAccount: string; json?: boolean }) => {
      await (await api()).revokeKey(options.serviceAccount, keyId);
      if (!options.json) io.stdout.write(`Revoked key ${keyId} of ${options.serviceAccount}.\n`);
    });

  key
    .command("rename")
    .description("Rename a key (what uses it); the secret does not change")
    .addOption(accountOption())
    .argument("<key-id>", "the key's id, or the key id inside its token (dpt_<key id>_…)")
    .requiredOption("--name <name>", "the new name, like github-actions-deploy")
    .addOption(jsonOption())
    .action(async (keyId: string, options: { serviceAccount: string; name: string; json?: boolean }) => {
      const { key: renamed } = await (
        await api()
      ).updateKey(options.serviceAccount, keyId, { name: options.name });
      if (options.json) return json(io.stdout, renamed);
      printKeys(io, [renamed]);
    });

  addRestrictionOptions(
    key
      .command("restrict")
      .description(
        "Change a key's restrictions at once (rule 24); flags left out keep their value. They can only narrow the account.",
      )
      .addOption(accountOption())
      .argument("<key-id>", "the key's id, or the key id inside its token (dpt_<key id>_…)"),
  )
    .option("--all-projects", "lift the projects restriction")
    .option("--any-ip", "lift the allowed IP ranges")
    .option("--same-as-account", "lift the permission restriction")
    .option(
      "--as-used",
      "apply the narrowest restrictions that still allow everything the key did in the last 30 days (rule 27)",
    )
    .addOption(jsonOption())
    .action(
      async (
        keyId: string,
        options: {
          serviceAccount: string;
          allProjects?: boolean;
          anyIp?: boolean;
          sameAsAccount?: boolean;
          asUsed?: boolean;
          json?: boolean;
        } & RestrictionFlags,
      ) => {
        if ((options.allProjects && options.project) || (options.anyIp && options.allowIp)) {
          throw new UsageError("a restriction cannot be set and lifted at once.");
        }
        if (options.asUsed) {
          const given = restrictionsOf(options);
          if (
            Object.keys(given).length > 0 ||
            options.allProjects ||
            options.anyIp ||
            options.sameAsAccount
          ) {
            throw new UsageError("--as-used sets every restriction itself: leave out the other flags.");
          }
          const client = await api();
          const suggestion = await client.suggestKeyRestrictions(options.serviceAccount, keyId);
          io.stderr.write(`${suggestion.description}\n`);
          const { key: changed } = await client.updateKey(options.serviceAccount, keyId, {
            restrictions: suggestion.suggested,
          });
          if (options.json) return json(io.stdout, changed);
          printKeys(io, [changed]);
          return;
        }
        const restrictions: Record<string, unknown> = restrictionsOf(options);
        if (options.allProjects) restrictions.projects = null;
        if (options.anyIp) restrictions.allowedIps = null;
        if (options.sameAsAccount) restrictions.permission = null;
        if (Object.keys(restrictions).length === 0) {
          throw new UsageError(
            "say what to change: --read-only, --permission, --project, --allow-ip or a --… to lift one.",
          );
        }
        const { key: changed } = await (
          await api()
        ).updateKey(options.serviceAccount, keyId, { restrictions });
        if (options.json) return json(io.stdout, changed);
        printKeys(io, [changed]);
      },
    );

  key
    .command("suggest")
    .description(
      "What a key did in the last 30 days and the narrowest restrictions that would still have allowed it (rule 27); apply them with key restrict --as-used",
    )
    .addOption(accountOption())
    .argument("<key-id>", "the key's id, or the key id inside its token (dpt_<key id>_…)")
    .addOption(jsonOption())
    .action(async (keyId: string, options: { serviceAccount: string; json?: boolean }) => {
      const suggestion = await (await api()).suggestKeyRestrictions(options.serviceAccount, keyId);
      if (options.json) return json(io.stdout, suggestion);
      io.stdout.write(`${suggestion.description}\n`);
      table(
        io.stdout,
        ["", "RESTRICTIONS"],
        [
          ["now", restrictionWords(suggestion.current)],
          ["suggested", restrictionWords(suggestion.suggested)],
        ],
        "",
      );
      if (suggestion.narrows.length === 0) io.stdout.write("Already as narrow as its use.\n");
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
}

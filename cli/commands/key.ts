// deputy key …: API keys of a service account (…/service-accounts/<account>/keys[/<keyId>[/rotate]]).
import { Option, type Command } from "commander";
import type { ApiKey } from "../client";
import type { CliContext, Io } from "../context";
import { jsonNoContentOption, jsonOption, parseDays, parseGrace } from "../options";
import { json, table, when } from "../output";

function printKeys(io: Io, keys: ApiKey[]) {
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

const accountOption = () =>
  new Option("--service-account <account>", "the account's name or id").makeOptionMandatory();

export function registerKeyCommands(program: Command, { io, api }: CliContext): void {
  const key = program
    .command("key")
    .description("API keys of a service account (needs an ADMIN account's key)");

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

// deputy sa …: service accounts (GET/POST /api/v1/service-accounts, GET/PATCH/DELETE …/<account>).
import { Option, type Command } from "commander";
import type { ServiceAccount } from "../client";
import type { CliContext, Io } from "../context";
import { UsageError } from "../identity-token";
import { collectPairs, jsonNoContentOption, jsonOption } from "../options";
import { json, record, table, when } from "../output";

function printAccount(io: Io, account: ServiceAccount) {
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
    ["Owner", account.owner ? `${account.owner}${account.ownerLeft ? " (left the organization)" : ""}` : "—"],
    ["Contact", account.contact ?? "—"],
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

export function registerSaCommands(program: Command, { io, api }: CliContext): void {
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
        const accounts: ServiceAccount[] = [];
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
    .option("--owner <email>", "the person answerable for it, a member of the org (rule 30)")
    .option("--contact <text>", "a channel or mailing list, like #ml-infra")
    .option("--federated", "authenticate with a JWT from an identity provider instead of API keys")
    .option("--issuer <url>", "federated: the trusted issuer")
    .option("--subject <pattern>", "federated: the subject, exact or with * globs")
    .option("--audience <audience>", "federated: the expected audience")
    .option("--claim <name=pattern...>", "federated: an extra claim condition (repeatable)", collectPairs)
    .addOption(jsonOption())
    .action(
      async (options: {
        name: string;
        team: string;
        orgScope?: boolean;
        role?: string;
        description?: string;
        owner?: string;
        contact?: string;
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
          ...(options.owner !== undefined ? { owner: options.owner } : {}),
          ...(options.contact !== undefined ? { contact: options.contact } : {}),
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
    .description("Change a service account's name, description, role, owner or contact")
    .argument("<account>", "name or id")
    .option("--name <name>", "a new name")
    .option("--description <text>", "a new description")
    .option("--owner <email>", "a new owner, a member of the org")
    .option("--no-owner", "no owner")
    .option("--contact <text>", "a new contact (empty: none)")
    .addOption(new Option("--role <role>", "admin, member or viewer").choices(["admin", "member", "viewer"]))
    .addOption(jsonOption())
    .action(
      async (
        account: string,
        options: {
          name?: string;
          description?: string;
          role?: string;
          owner?: string | false;
          contact?: string;
          json?: boolean;
        },
      ) => {
        if (
          options.name === undefined &&
          options.description === undefined &&
          options.role === undefined &&
          options.owner === undefined &&
          options.contact === undefined
        ) {
          throw new UsageError("Say what to change: --name, --description, --role, --owner or --contact.");
        }
        const { serviceAccount } = await (
          await api()
        ).updateServiceAccount(account, {
          name: options.name,
          description: options.description,
          role: options.role,
          ...(options.owner !== undefined ? { owner: options.owner === false ? null : options.owner } : {}),
          ...(options.contact !== undefined ? { contact: options.contact } : {}),
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
    .addOption(jsonNoContentOption())
    .action(async (account: string, options: { json?: boolean }) => {
      await (await api()).deleteServiceAccount(account);
      if (!options.json) io.stdout.write(`Deleted ${account}; its keys are revoked.\n`);
    });
}

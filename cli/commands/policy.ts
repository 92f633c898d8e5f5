// deputy policy …: the organization's policies (GET/PATCH /api/v1/org/policies, rule 31), for
// org-scoped ADMIN accounts.
import { Option, type Command } from "commander";
import type { OrgPolicies } from "../client";
import type { CliContext, Io } from "../context";
import { jsonOption } from "../options";
import { json, record } from "../output";
import { UsageError } from "../identity-token";

function printPolicies(io: Io, policies: OrgPolicies) {
  record(io.stdout, [
    ["API keys", policies.apiKeys],
    ["Require an owner", policies.requireOwner ? "yes" : "no"],
    ["Require allowed IPs (org scope)", policies.requireAllowedIpsForOrgScope ? "yes" : "no"],
  ]);
}

const yesNo = (value: string) => {
  if (value === "yes" || value === "true") return true;
  if (value === "no" || value === "false") return false;
  throw new UsageError(`say yes or no, not ${JSON.stringify(value)}.`);
};

export function registerPolicyCommands(program: Command, { io, api }: CliContext): void {
  const policy = program
    .command("policy")
    .description("The organization's policies (org-scoped ADMIN accounts)");

  policy
    .command("get")
    .description("Show the policies")
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const { policies } = await (await api()).getOrgPolicies();
      if (options.json) return json(io.stdout, policies);
      printPolicies(io, policies);
    });

  policy
    .command("set")
    .description("Change some policies; the ones left out keep their value (audited)")
    .addOption(
      new Option(
        "--api-keys <policy>",
        "allowed, team_only (org-scoped accounts must federate) or disabled",
      ).choices(["allowed", "team_only", "disabled"]),
    )
    .option("--require-owner <yes|no>", "new service accounts must name an owner", yesNo)
    .option(
      "--require-allowed-ips-for-org-scope <yes|no>",
      "keys of org-scoped accounts must carry allowed IPs",
      yesNo,
    )
    .addOption(jsonOption())
    .action(
      async (options: {
        apiKeys?: "allowed" | "team_only" | "disabled";
        requireOwner?: boolean;
        requireAllowedIpsForOrgScope?: boolean;
        json?: boolean;
      }) => {
        const body = {
          ...(options.apiKeys !== undefined ? { apiKeys: options.apiKeys } : {}),
          ...(options.requireOwner !== undefined ? { requireOwner: options.requireOwner } : {}),
          ...(options.requireAllowedIpsForOrgScope !== undefined
            ? { requireAllowedIpsForOrgScope: options.requireAllowedIpsForOrgScope }
            : {}),
        };
        if (Object.keys(body).length === 0) {
          throw new UsageError(
            "say what to change: --api-keys, --require-owner or --require-allowed-ips-for-org-scope.",
          );
        }
        const { policies } = await (await api()).updateOrgPolicies(body);
        if (options.json) return json(io.stdout, policies);
        printPolicies(io, policies);
      },
    );
}

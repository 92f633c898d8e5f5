// deputy idp …: the organization's trusted JWT issuers (GET/POST /api/v1/identity-providers,
// DELETE …/<id>), for federated service accounts.
import type { Command } from "commander";
import type { IdentityProvider } from "../client";
import type { CliContext, Io } from "../context";
import { jsonNoContentOption, jsonOption } from "../options";
import { json, record, table, when } from "../output";

function printProvider(io: Io, provider: IdentityProvider) {
  record(io.stdout, [
    ["Name", provider.name],
    ["ID", provider.id],
    ["Issuer", provider.issuer],
    ["JWKS URI", provider.jwksUri],
    ["Keys", String(provider.keyCount)],
    ["Refreshed", when(provider.refreshedAt)],
    ["Trusted by", provider.trustedBy.join(", ") || "—"],
  ]);
}

export function registerIdpCommands(program: Command, { io, api }: CliContext): void {
  const idp = program
    .command("idp")
    .description("Trusted JWT issuers of federated accounts (org-scoped ADMIN accounts)");

  idp
    .command("list")
    .description("List the trusted issuers, their keys and the accounts that trust each")
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const { identityProviders } = await (await api()).listIdentityProviders();
      if (options.json) return json(io.stdout, identityProviders);
      table(
        io.stdout,
        ["ID", "NAME", "ISSUER", "KEYS", "REFRESHED", "TRUSTED BY"],
        identityProviders.map((p) => [
          p.id,
          p.name,
          p.issuer,
          String(p.keyCount),
          when(p.refreshedAt),
          p.trustedBy.join(", ") || "—",
        ]),
        "No identity providers.",
      );
    });

  idp
    .command("add")
    .description("Trust an issuer: its discovery document (or --jwks-uri) and keys are fetched first")
    .requiredOption("--issuer <url>", "the issuer, like https://token.actions.githubusercontent.com")
    .requiredOption("--name <name>", 'what people call it, like "GitHub Actions"')
    .option("--jwks-uri <url>", "where its keys are, when the issuer has no discovery document")
    .addOption(jsonOption())
    .action(async (options: { issuer: string; name: string; jwksUri?: string; json?: boolean }) => {
      const { identityProvider } = await (
        await api()
      ).addIdentityProvider({
        issuer: options.issuer,
        name: options.name,
        ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}),
      });
      if (options.json) return json(io.stdout, identityProvider);
      printProvider(io, identityProvider);
    });

  idp
    .command("remove")
    .description("Stop trusting an issuer (refused while an account trusts it)")
    .argument("<id>", "the provider's id (deputy idp list)")
    .addOption(jsonNoContentOption())
    .action(async (id: string, options: { json?: boolean }) => {
      await (await api()).removeIdentityProvider(id);
      if (!options.json) io.stdout.write(`Removed identity provider ${id}.\n`);
    });
}

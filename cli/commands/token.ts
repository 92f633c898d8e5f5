// deputy token exchange: an access token for DEPUTY_IDENTITY_TOKEN_FILE's JWT (POST /api/v1/oauth/token).
import type { Command } from "commander";
import type { CliContext } from "../context";
import { UsageError } from "../identity-token";
import { jsonOption } from "../options";
import { json } from "../output";

export function registerTokenCommands(program: Command, { io, env, exchange }: CliContext): void {
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
}

// The `deputy` command (SPEC §5): the program's wiring. Each noun's subcommands live in
// cli/commands/<noun>.ts and are one or two calls of the typed client; this file sets the global
// options, the output writers, and maps every failure to an exit code:
// 0 success, 1 the API refused or could not be reached (its message on stderr),
// 2 a usage error (commander's own, or a missing setting).
// Everything it prints goes through safeWriter (cli/safe-text.ts): no text from the API or the
// network reaches the terminal with control characters in it.
import { Command, CommanderError } from "commander";
import { ApiRefusal, Unreachable } from "./client";
import { registerAuditCommand } from "./commands/audit";
import { registerGrantCommands } from "./commands/grant";
import { registerIdpCommands } from "./commands/idp";
import { registerWebhookCommands } from "./commands/webhook";
import { registerPolicyCommands } from "./commands/policy";
import { registerKeyCommands } from "./commands/key";
import { registerLoginCommands } from "./commands/login";
import { registerMemberCommands } from "./commands/member";
import { registerOrgCommands } from "./commands/org";
import { registerProjectCommands } from "./commands/project";
import { registerRunCommands } from "./commands/run";
import { registerRunsCommands } from "./commands/runs";
import { registerSaCommands } from "./commands/sa";
import { registerTeamCommands } from "./commands/team";
import { registerTokenCommands } from "./commands/token";
import { registerWhoamiCommand } from "./commands/whoami";
import { createContext, DEFAULT_HOST, safeIo, type Env, type Io } from "./context";
import { UsageError } from "./identity-token";
import { runWithCredential } from "./run-command";
import { deputyVersion } from "./version";

/** Builds the program. `run` is separate so tests and the bin share it. */
export function buildProgram(rawIo: Io, env: Env, context = createContext(safeIo(rawIo), env)) {
  const { io } = context;

  const program = new Command("deputy")
    .description(
      "Manage Deputy (service accounts, keys, teams, projects and their access) and log runs from a terminal or a pipeline.",
    )
    .version(deputyVersion(), "-V, --version", "print the version of deputy")
    .addHelpText(
      "after",
      [
        "",
        "Environment:",
        "  DEPUTY_API_KEY     a service account's API key (management commands need an ADMIN account)",
        "  DEPUTY_IDENTITY_TOKEN_FILE  a file holding the workload's JWT, exchanged for an access token",
        "  DEPUTY_TOKEN_FILE  a file holding an access token (kept fresh by deputy run; wins over DEPUTY_API_KEY)",
        `  DEPUTY_HOST        where Deputy answers (default ${DEFAULT_HOST})`,
        '  DEPUTY_PROFILE     the saved profile to use (deputy login; default "default"); variables above win',
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

  // The order here is the order of `deputy --help`.
  registerWhoamiCommand(program, context);
  registerSaCommands(program, context);
  registerKeyCommands(program, context);
  registerTeamCommands(program, context);
  registerMemberCommands(program, context);
  registerProjectCommands(program, context);
  registerGrantCommands(program, context);
  registerOrgCommands(program, context);
  registerIdpCommands(program, context);
  registerWebhookCommands(program, context);
  registerPolicyCommands(program, context);
  registerRunCommands(program, context);
  registerRunsCommands(program, context);
  registerAuditCommand(program, context);
  registerTokenCommands(program, context);
  registerLoginCommands(program, context);

  return program;
}

/** Runs the CLI with arguments (without node and script); resolves to the exit code. */
export async function run(argv: string[], rawIo: Io, env: Env): Promise<number> {
  const io = safeIo(rawIo);
  const context = createContext(io, env);
  const program = buildProgram(io, env, context);
  try {
    // `deputy run -- <command …>` is taken before commander: after `--` everything is the
    // command's, even a command named like a subcommand (`deputy run -- log`).
    if (argv[0] === "run" && argv[1] === "--") return await runWithCredential(context, argv.slice(2));
    await program.parseAsync(argv, { from: "user" });
    return context.exitCode ?? 0;
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

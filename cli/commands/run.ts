// deputy run -- <command …>: run a command with a fresh credential (cli/run-command.ts);
// deputy run log: write a run (POST /api/v1/runs).
import type { Command } from "commander";
import type { CliContext, Env } from "../context";
import { UsageError } from "../identity-token";
import { collectPairs, jsonOption } from "../options";
import { json } from "../output";
import { runWithCredential } from "../run-command";

/** The project and team of run commands: the options, else DEPUTY_PROJECT and DEPUTY_ENTITY. */
export function runTarget(options: { project?: string; entity?: string }, env: Env) {
  const project = options.project ?? env.DEPUTY_PROJECT;
  if (!project) throw new UsageError("Name the project: --project p, or set DEPUTY_PROJECT.");
  return { project, entity: options.entity ?? env.DEPUTY_ENTITY };
}

export function registerRunCommands(program: Command, context: CliContext): void {
  const { io, env, api } = context;
  const run = program
    .command("run")
    .description(
      "Run a command with a fresh credential in its environment (deputy run -- <command …>), or write runs (deputy run log)",
    )
    .argument("[command...]", "the command to run and its arguments, after --")
    .addHelpText(
      "after",
      [
        "",
        "deputy run -- <command …> gives the command DEPUTY_HOST and DEPUTY_API_KEY (the API key, or an",
        "access token exchanged for DEPUTY_IDENTITY_TOKEN_FILE's JWT). With a JWT it also gets",
        "DEPUTY_TOKEN_FILE, a private file rewritten with a new access token before each one expires:",
        "long jobs read the token from there. Signals are passed on; the exit code is the command's.",
        "",
        "Example: deputy run -- python train.py --epochs 20",
      ].join("\n"),
    )
    .action(async (command: string[]) => {
      context.exitCode = await runWithCredential(context, command);
    });
  run
    .command("log")
    .description("Write a run (attributed to DEPUTY_USERNAME or DEPUTY_USER_EMAIL when set)")
    .option("--project <project>", "the project (default DEPUTY_PROJECT); created in your team if missing")
    .option("--entity <team>", "the team (default DEPUTY_ENTITY, else the account's own team)")
    .option("--name <name>", "the run's name")
    .option("--config <key=value...>", "a config value (repeatable)", collectPairs)
    .option("--summary <key=value...>", "a summary value (repeatable)", collectPairs)
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
        const { project, entity } = runTarget(options, env);
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
}

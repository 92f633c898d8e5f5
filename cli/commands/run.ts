// deputy run log: write a run (POST /api/v1/runs).
import type { Command } from "commander";
import type { CliContext, Env } from "../context";
import { UsageError } from "../identity-token";
import { collectPairs, jsonOption } from "../options";
import { json } from "../output";

/** The project and team of run commands: the options, else DEPUTY_PROJECT and DEPUTY_ENTITY. */
export function runTarget(options: { project?: string; entity?: string }, env: Env) {
  const project = options.project ?? env.DEPUTY_PROJECT;
  if (!project) throw new UsageError("Name the project: --project p, or set DEPUTY_PROJECT.");
  return { project, entity: options.entity ?? env.DEPUTY_ENTITY };
}

export function registerRunCommands(program: Command, { io, env, api }: CliContext): void {
  program
    .command("run")
    .description("Write runs")
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

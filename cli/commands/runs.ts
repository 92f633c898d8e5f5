// deputy runs list: a project's runs, newest first (GET /api/v1/projects/<entity>/<project>/runs).
import type { Command } from "commander";
import type { CliContext } from "../context";
import { jsonOption, parseCount } from "../options";
import { json, table, when } from "../output";
import { runTarget } from "./run";

export function registerRunsCommands(program: Command, { io, env, api }: CliContext): void {
  program
    .command("runs")
    .description("Read runs")
    .command("list")
    .description("List a project's runs, newest first")
    .option("--project <project>", "the project (default DEPUTY_PROJECT)")
    .option("--entity <team>", "the team (default DEPUTY_ENTITY, else the account's own team)")
    .option("--limit <n>", "how many (1–100, default 20)", parseCount(100), 20)
    .addOption(jsonOption())
    .action(async (options: { project?: string; entity?: string; limit: number; json?: boolean }) => {
      const { project, entity } = runTarget(options, env);
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
}

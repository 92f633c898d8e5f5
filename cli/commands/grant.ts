// deputy grant …: explicit access to a restricted project, for a person (email) or a service
// account (name) — the step the seeds ask a project admin to do by hand
// (GET /api/v1/projects/<team>/<project>/access, PUT/DELETE …/access/<principal>).
import { Option, type Command } from "commander";
import type { CliContext } from "../context";
import { jsonNoContentOption, jsonOption, parseProjectRef, type ProjectRef } from "../options";
import { json, table, when } from "../output";

const projectOption = () =>
  new Option("--project <team/project>", "the restricted project, like ml-team/production-models")
    .argParser(parseProjectRef)
    .makeOptionMandatory();
const PRINCIPAL = "a person's email, or a service account's name (or display identity)";

export function registerGrantCommands(program: Command, { io, api }: CliContext): void {
  const grant = program.command("grant").description("Access to restricted projects (ADMIN accounts)");

  grant
    .command("list")
    .description("List a restricted project's grants")
    .addOption(projectOption())
    .addOption(jsonOption())
    .action(async (options: { project: ProjectRef; json?: boolean }) => {
      const { team, project } = options.project;
      const { grants } = await (await api()).listProjectAccess(team, project);
      if (options.json) return json(io.stdout, grants);
      table(
        io.stdout,
        ["TYPE", "IDENTITY", "GRANTED"],
        grants.map((g) => [g.type, g.identity, when(g.grantedAt)]),
        `No grants on ${team}/${project}.`,
      );
    });

  grant
    .command("add")
    .description("Grant a person or a service account access to a restricted project")
    .addOption(projectOption())
    .argument("<principal>", PRINCIPAL)
    .addOption(jsonOption())
    .action(async (principal: string, options: { project: ProjectRef; json?: boolean }) => {
      const { team, project } = options.project;
      const answer = await (await api()).grantProjectAccess(team, project, principal);
      if (options.json) return json(io.stdout, answer.grant);
      io.stdout.write(`Granted ${answer.grant.identity} access to ${team}/${project}.\n`);
    });

  grant
    .command("remove")
    .description("Remove a person's or a service account's grant")
    .addOption(projectOption())
    .argument("<principal>", PRINCIPAL)
    .addOption(jsonNoContentOption())
    .action(async (principal: string, options: { project: ProjectRef; json?: boolean }) => {
      const { team, project } = options.project;
      await (await api()).revokeProjectAccess(team, project, principal);
      if (!options.json) io.stdout.write(`Removed ${principal}'s access to ${team}/${project}.\n`);
    });
}

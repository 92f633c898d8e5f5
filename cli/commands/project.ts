// deputy project …: projects and who may read them (GET/POST /api/v1/teams/<team>/projects,
// GET/PATCH/DELETE /api/v1/projects/<team>/<project>). A project is named <team>/<project>.
import { Option, type Command } from "commander";
import type { Project } from "../client";
import type { CliContext, Io } from "../context";
import { UsageError } from "../identity-token";
import { jsonNoContentOption, jsonOption, parseProjectRef, VISIBILITIES, type ProjectRef } from "../options";
import { json, record, table, when } from "../output";

type Visibility = (typeof VISIBILITIES)[number];

function printProject(io: Io, project: Project) {
  record(io.stdout, [
    ["Project", `${project.team}/${project.name}`],
    ["Visibility", project.visibility],
    ["Description", project.description || "—"],
    ["Runs", String(project.runs)],
    ["Created", when(project.createdAt)],
  ]);
}

const visibilityOption = (help: string) =>
  new Option("--visibility <visibility>", help).choices(VISIBILITIES);

export function registerProjectCommands(program: Command, { io, api }: CliContext): void {
  const project = program
    .command("project")
    .description("Projects of a team (changing them needs an ADMIN account)");

  project
    .command("list")
    .description("List a team's projects you may read")
    .addOption(new Option("--team <team>", "the team's slug").makeOptionMandatory())
    .addOption(jsonOption())
    .action(async (options: { team: string; json?: boolean }) => {
      const { projects } = await (await api()).listTeamProjects(options.team);
      if (options.json) return json(io.stdout, projects);
      table(
        io.stdout,
        ["NAME", "VISIBILITY", "RUNS", "CREATED", "DESCRIPTION"],
        projects.map((p) => [p.name, p.visibility, String(p.runs), when(p.createdAt), p.description || "—"]),
        `No projects in ${options.team} that you may read.`,
      );
    });

  project
    .command("get")
    .description("Show one project")
    .argument("<team/project>", "the project, like ml-team/production-models", parseProjectRef)
    .addOption(jsonOption())
    .action(async (ref: ProjectRef, options: { json?: boolean }) => {
      const answer = await (await api()).getProject(ref.team, ref.project);
      if (options.json) return json(io.stdout, answer.project);
      printProject(io, answer.project);
    });

  project
    .command("create")
    .description("Create a project (a restricted project is granted to its creator)")
    .argument(
      "<team/project>",
      "the team and the new project's name, like ml-team/production-models",
      parseProjectRef,
    )
    .addOption(visibilityOption("open, public, team or restricted (default team)"))
    .option("--description <text>", "what the project holds")
    .addOption(jsonOption())
    .action(
      async (ref: ProjectRef, options: { visibility?: Visibility; description?: string; json?: boolean }) => {
        const answer = await (
          await api()
        ).createProject(ref.team, {
          name: ref.project,
          ...(options.visibility ? { visibility: options.visibility } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
        });
        if (options.json) return json(io.stdout, answer.project);
        printProject(io, answer.project);
      },
    );

  project
    .command("update")
    .description("Change a project's visibility or description")
    .argument("<team/project>", "the project, like ml-team/production-models", parseProjectRef)
    .addOption(visibilityOption("open, public, team or restricted"))
    .option("--description <text>", "a new description")
    .addOption(jsonOption())
    .action(
      async (ref: ProjectRef, options: { visibility?: Visibility; description?: string; json?: boolean }) => {
        if (options.visibility === undefined && options.description === undefined) {
          throw new UsageError("Say what to change: --visibility or --description.");
        }
        const answer = await (
          await api()
        ).updateProject(ref.team, ref.project, {
          ...(options.visibility ? { visibility: options.visibility } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
        });
        if (options.json) return json(io.stdout, answer.project);
        printProject(io, answer.project);
      },
    );

  project
    .command("delete")
    .description("Delete a project that holds no runs")
    .argument("<team/project>", "the project, like ml-team/production-models", parseProjectRef)
    .addOption(jsonNoContentOption())
    .action(async (ref: ProjectRef, options: { json?: boolean }) => {
      await (await api()).deleteProject(ref.team, ref.project);
      if (!options.json) io.stdout.write(`Deleted project ${ref.team}/${ref.project}.\n`);
    });
}

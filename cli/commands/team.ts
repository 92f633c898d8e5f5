// deputy team …: teams (GET/POST /api/v1/teams, GET/PATCH/DELETE /api/v1/teams/<team>).
import type { Command } from "commander";
import type { Team } from "../client";
import type { CliContext, Io } from "../context";
import { jsonNoContentOption, jsonOption } from "../options";
import { json, record, table, when } from "../output";

function printTeam(io: Io, team: Team) {
  record(io.stdout, [
    ["Slug", team.slug],
    ["Name", team.name],
    ["Members", String(team.members)],
    ["Projects", String(team.projects)],
    ["Service accounts", String(team.serviceAccounts)],
    ["Created", when(team.createdAt)],
  ]);
}

export function registerTeamCommands(program: Command, { io, api }: CliContext): void {
  const team = program
    .command("team")
    .description("Teams (ADMIN accounts; creating and deleting: org-scoped ones only)");

  team
    .command("list")
    .description("List the teams you manage: every team of the org, or a team-scoped account's own")
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const { teams } = await (await api()).listTeams();
      if (options.json) return json(io.stdout, teams);
      table(
        io.stdout,
        ["SLUG", "NAME", "MEMBERS", "PROJECTS", "SERVICE ACCOUNTS", "CREATED"],
        teams.map((t) => [
          t.slug,
          t.name,
          String(t.members),
          String(t.projects),
          String(t.serviceAccounts),
          when(t.createdAt),
        ]),
        "No teams.",
      );
    });

  team
    .command("get")
    .description("Show one team")
    .argument("<team>", "the team's slug")
    .addOption(jsonOption())
    .action(async (slug: string, options: { json?: boolean }) => {
      const answer = await (await api()).getTeam(slug);
      if (options.json) return json(io.stdout, answer.team);
      printTeam(io, answer.team);
    });

  team
    .command("create")
    .description("Create a team (org-scoped ADMIN accounts only)")
    .argument("<team>", "the slug, in every URL: lowercase letters, digits and dashes, like ml-team")
    .requiredOption("--name <name>", 'the display name, like "ML Team"')
    .addOption(jsonOption())
    .action(async (slug: string, options: { name: string; json?: boolean }) => {
      const answer = await (await api()).createTeam({ slug, name: options.name });
      if (options.json) return json(io.stdout, answer.team);
      printTeam(io, answer.team);
    });

  team
    .command("rename")
    .description("Change a team's display name (the slug stays: it is in every URL)")
    .argument("<team>", "the team's slug")
    .requiredOption("--name <name>", "the new display name")
    .addOption(jsonOption())
    .action(async (slug: string, options: { name: string; json?: boolean }) => {
      const answer = await (await api()).renameTeam(slug, { name: options.name });
      if (options.json) return json(io.stdout, answer.team);
      printTeam(io, answer.team);
    });

  team
    .command("delete")
    .description("Delete a team without projects and live service accounts (org-scoped ADMIN accounts only)")
    .argument("<team>", "the team's slug")
    .addOption(jsonNoContentOption())
    .action(async (slug: string, options: { json?: boolean }) => {
      await (await api()).deleteTeam(slug);
      if (!options.json) io.stdout.write(`Deleted team ${slug}.\n`);
    });
}

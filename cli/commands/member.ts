// deputy member …: a team's people and their roles (GET /api/v1/teams/<team>/members,
// PUT/DELETE …/members/<email>). Only people already in the organization can be added: people
// join the organization in the console or by SCIM.
import { Option, type Command } from "commander";
import type { CliContext } from "../context";
import { jsonNoContentOption, jsonOption, ROLES } from "../options";
import { json, table } from "../output";

const teamOption = () => new Option("--team <team>", "the team's slug").makeOptionMandatory();

export function registerMemberCommands(program: Command, { io, api }: CliContext): void {
  const member = program.command("member").description("People of a team and their roles (ADMIN accounts)");

  member
    .command("list")
    .description("List a team's members")
    .addOption(teamOption())
    .addOption(jsonOption())
    .action(async (options: { team: string; json?: boolean }) => {
      const { members } = await (await api()).listTeamMembers(options.team);
      if (options.json) return json(io.stdout, members);
      table(
        io.stdout,
        ["EMAIL", "NAME", "ROLE"],
        members.map((m) => [m.email, m.name, m.role]),
        `No members in ${options.team}.`,
      );
    });

  member
    .command("add")
    .description("Add a person of the organization to a team, or change their role")
    .addOption(teamOption())
    .argument("<email>", "the person's email")
    .addOption(new Option("--role <role>", "admin, member or viewer (default member)").choices(ROLES))
    .addOption(jsonOption())
    .action(
      async (email: string, options: { team: string; role?: (typeof ROLES)[number]; json?: boolean }) => {
        const answer = await (
          await api()
        ).setTeamMember(options.team, email, options.role ? { role: options.role } : {});
        if (options.json) return json(io.stdout, answer.member);
        io.stdout.write(`${answer.member.email} is now ${answer.member.role} in ${options.team}.\n`);
      },
    );

  member
    .command("remove")
    .description("Remove a person from a team (they stay in the organization)")
    .addOption(teamOption())
    .argument("<email>", "the person's email")
    .addOption(jsonNoContentOption())
    .action(async (email: string, options: { team: string; json?: boolean }) => {
      await (await api()).removeTeamMember(options.team, email);
      if (!options.json) io.stdout.write(`Removed ${email} from ${options.team}.\n`);
    });
}

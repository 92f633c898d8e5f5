// deputy org members: the organization's people, read-only (GET /api/v1/members); people are
// managed in the console or by SCIM.
import type { Command } from "commander";
import type { CliContext } from "../context";
import { jsonOption } from "../options";
import { json, table } from "../output";

export function registerOrgCommands(program: Command, { io, api }: CliContext): void {
  program
    .command("org")
    .description("The organization's people (org-scoped ADMIN accounts)")
    .command("members")
    .description("List the organization's people, their role and their teams (read-only)")
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const { members } = await (await api()).listOrgMembers();
      if (options.json) return json(io.stdout, members);
      table(
        io.stdout,
        ["EMAIL", "NAME", "ROLE", "TEAMS"],
        members.map((m) => [
          m.email,
          m.name,
          m.role,
          m.teams.map((t) => `${t.team} (${t.role})`).join(", ") || "—",
        ]),
        "No members.",
      );
    });
}

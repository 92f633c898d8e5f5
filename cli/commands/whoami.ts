// deputy whoami: the service account and credential in use (GET /api/v1/viewer).
import type { Command } from "commander";
import type { CliContext } from "../context";
import { jsonOption } from "../options";
import { json, record, when } from "../output";

export function registerWhoamiCommand(program: Command, { io, api }: CliContext): void {
  program
    .command("whoami")
    .description("Show the service account and credential in use")
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const viewer = await (await api()).getViewer();
      if (options.json) return json(io.stdout, viewer);
      const p = viewer.principal;
      record(io.stdout, [
        ["Service account", p.name],
        ["Identity", p.identity],
        ["Scope", p.scope],
        ["Organization", p.organization],
        ["Team", p.team ?? "—"],
        ["Default entity", p.defaultEntity],
        ["Role", p.role],
        ["Credential", `${viewer.credential.type} ${viewer.credential.name ?? ""}`.trim()],
        ["Expires", when(viewer.credential.expiresAt)],
      ]);
    });
}

// deputy audit: the audit log, newest first (GET /api/v1/audit-events).
import { Option, type Command } from "commander";
import type { CliContext } from "../context";
import { jsonOption, parseCount, parseSince } from "../options";
import { json, table, when } from "../output";

export function registerAuditCommand(program: Command, { io, api }: CliContext): void {
  program
    .command("audit")
    .description("Read the audit log, newest first (needs an org-scoped ADMIN account's key)")
    .addOption(
      new Option("--actor-type <type>", "user, service_account, system or anonymous").choices([
        "user",
        "service_account",
        "system",
        "anonymous",
      ]),
    )
    .option("--actor <identity>", "an actor's email, display identity or id")
    .option("--action <action>", "an action, like api_key.revoked")
    .option("--target <name>", "a target's name or id")
    .option("-q, --search <text>", "text in the actor's or target's identity")
    .option("--since <period>", "only events newer than this: 30m, 24h, 7d", parseSince)
    .option("--limit <n>", "at most this many events (1–1000, default 50)", parseCount(1000), 50)
    .addOption(jsonOption())
    .action(
      async (options: {
        actorType?: string;
        actor?: string;
        action?: string;
        target?: string;
        search?: string;
        since?: Date;
        limit: number;
        json?: boolean;
      }) => {
        const { events } = await (
          await api()
        ).listAuditEvents({
          actorType: options.actorType,
          actor: options.actor,
          action: options.action,
          target: options.target,
          q: options.search,
          from: options.since?.toISOString(),
          limit: options.limit,
        });
        if (options.json) return json(io.stdout, events);
        table(
          io.stdout,
          ["TIME", "ACTOR TYPE", "ACTOR", "ACTION", "TARGET"],
          events.map((e) => [when(e.time), e.actor.type, e.actor.identity, e.action, e.target?.name ?? "—"]),
          "No events match.",
        );
      },
    );
}

// deputy webhook …: the organization's webhook endpoints (/api/v1/webhooks…, rules 28–29), for
// org-scoped ADMIN accounts.
import type { Command } from "commander";
import type { Webhook } from "../client";
import type { CliContext, Io } from "../context";
import { jsonNoContentOption, jsonOption } from "../options";
import { json, record, table, when } from "../output";
import { UsageError } from "../identity-token";

const collect = (value: string, previous: string[] = []) => [...previous, value];

function printWebhook(io: Io, webhook: Webhook) {
  record(io.stdout, [
    ["ID", webhook.id],
    ["URL", webhook.url],
    ["Description", webhook.description || "—"],
    ["Events", webhook.events ? webhook.events.join(", ") : "all"],
    ["Status", webhook.disabledReason ? `${webhook.status} (${webhook.disabledReason})` : webhook.status],
    ["Failing since", when(webhook.failingSince)],
    ["Created", `${when(webhook.createdAt)} by ${webhook.createdBy}`],
  ]);
}

export function registerWebhookCommands(program: Command, { io, api }: CliContext): void {
  const webhook = program
    .command("webhook")
    .description(
      "Webhook endpoints: signed deliveries of every audit event and notice (org-scoped ADMIN accounts)",
    );

  webhook
    .command("list")
    .description("List the organization's endpoints")
    .addOption(jsonOption())
    .action(async (options: { json?: boolean }) => {
      const { webhooks } = await (await api()).listWebhooks();
      if (options.json) return json(io.stdout, webhooks);
      table(
        io.stdout,
        ["ID", "URL", "EVENTS", "STATUS", "CREATED"],
        webhooks.map((w) => [
          w.id,
          w.url,
          w.events ? String(w.events.length) : "all",
          w.status,
          when(w.createdAt),
        ]),
        "No webhook endpoints.",
      );
    });

  webhook
    .command("add")
    .description("Add an endpoint; prints its signing secret (whsec_…) once, on stdout")
    .requiredOption("--url <url>", "the receiver's https URL")
    .option("--description <text>", "what it is for, like SIEM")
    .option("--event <type>", "an event type to receive (repeatable; default: every event)", collect)
    .addOption(jsonOption())
    .action(async (options: { url: string; description?: string; event?: string[]; json?: boolean }) => {
      const created = await (
        await api()
      ).createWebhook({
        url: options.url,
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.event ? { events: options.event } : {}),
      });
      if (options.json) return json(io.stdout, created);
      io.stdout.write(`${created.secret}\n`);
      io.stderr.write(
        `Added webhook ${created.webhook.id} for ${created.webhook.url}. This is the only time the signing secret is shown.\n`,
      );
    });

  webhook
    .command("get")
    .description("Show one endpoint")
    .argument("<id>", "the endpoint's id (deputy webhook list)")
    .addOption(jsonOption())
    .action(async (id: string, options: { json?: boolean }) => {
      const { webhook: found } = await (await api()).getWebhook(id);
      if (options.json) return json(io.stdout, found);
      printWebhook(io, found);
    });

  webhook
    .command("update")
    .description("Change an endpoint's URL, description or events")
    .argument("<id>", "the endpoint's id")
    .option("--url <url>", "a new https URL")
    .option("--description <text>", "a new description")
    .option("--event <type>", "receive only these event types (repeatable)", collect)
    .option("--all-events", "receive every event")
    .addOption(jsonOption())
    .action(
      async (
        id: string,
        options: {
          url?: string;
          description?: string;
          event?: string[];
          allEvents?: boolean;
          json?: boolean;
        },
      ) => {
        if (options.event && options.allEvents)
          throw new UsageError("use --event or --all-events, not both.");
        const body = {
          ...(options.url !== undefined ? { url: options.url } : {}),
          ...(options.description !== undefined ? { description: options.description } : {}),
          ...(options.event ? { events: options.event } : {}),
          ...(options.allEvents ? { events: null } : {}),
        };
        if (Object.keys(body).length === 0) {
          throw new UsageError("say what to change: --url, --description, --event or --all-events.");
        }
        const { webhook: changed } = await (await api()).updateWebhook(id, body);
        if (options.json) return json(io.stdout, changed);
        printWebhook(io, changed);
      },
    );

  for (const [name, status, words] of [
    ["disable", "disabled", "Stop sending to an endpoint (deliveries wait until it is enabled)"],
    ["enable", "active", "Send to a disabled endpoint again"],
  ] as const) {
    webhook
      .command(name)
      .description(words)
      .argument("<id>", "the endpoint's id")
      .addOption(jsonOption())
      .action(async (id: string, options: { json?: boolean }) => {
        const { webhook: changed } = await (await api()).updateWebhook(id, { status });
        if (options.json) return json(io.stdout, changed);
        printWebhook(io, changed);
      });
  }

  webhook
    .command("delete")
    .description("Delete an endpoint and its delivery log")
    .argument("<id>", "the endpoint's id")
    .addOption(jsonNoContentOption())
    .action(async (id: string, options: { json?: boolean }) => {
      await (await api()).deleteWebhook(id);
      if (!options.json) io.stdout.write(`Deleted webhook ${id}.\n`);
    });

  webhook
    .command("deliveries")
    .description("An endpoint's deliveries, newest first")
    .argument("<id>", "the endpoint's id")
    .option("--limit <n>", "how many (1–200, default 50)", (v) => Number(v))
    .addOption(jsonOption())
    .action(async (id: string, options: { limit?: number; json?: boolean }) => {
      const { deliveries } = await (await api()).listWebhookDeliveries(id, { limit: options.limit });
      if (options.json) return json(io.stdout, deliveries);
      table(
        io.stdout,
        ["ID", "TYPE", "STATUS", "ATTEMPTS", "RESPONSE", "CREATED"],
        deliveries.map((d) => [
          d.id,
          d.type,
          d.status,
          String(d.attempts),
          d.lastResponseStatus === null ? "—" : String(d.lastResponseStatus),
          when(d.createdAt),
        ]),
        "No deliveries.",
      );
    });

  webhook
    .command("test")
    .description("Send a webhook.test event to one endpoint")
    .argument("<id>", "the endpoint's id")
    .addOption(jsonOption())
    .action(async (id: string, options: { json?: boolean }) => {
      const { delivery } = await (await api()).testWebhook(id);
      if (options.json) return json(io.stdout, delivery);
      io.stdout.write(`Queued test event ${delivery.id}.\n`);
    });

  webhook
    .command("resend")
    .description("Send a delivery again, with the same webhook-id")
    .argument("<id>", "the endpoint's id")
    .argument("<delivery-id>", "the delivery's id (msg_…)")
    .addOption(jsonOption())
    .action(async (id: string, deliveryId: string, options: { json?: boolean }) => {
      const { delivery } = await (await api()).resendWebhookDelivery(id, deliveryId);
      if (options.json) return json(io.stdout, delivery);
      io.stdout.write(`Queued ${delivery.id} again.\n`);
    });
}

// The console's door to webhooks: the Add endpoint dialog's fields as the domain's input.
import { z } from "zod";
import type { PersonPrincipal } from "@/lib/core/principal";
import { parseInput } from "@/lib/actions/result";
import { AppError } from "@/lib/errors";
import { createWebhook } from "./endpoints";

const ZAddEndpointForm = z.object({
  url: z.string().max(4096).default(""),
  description: z.string().max(1000).default(""),
  eventsMode: z.enum(["all", "some"], { message: "Choose which events." }).default("all"),
  events: z.array(z.string().max(128)).max(500).default([]),
});

export async function createWebhookFromForm(caller: PersonPrincipal, orgSlug: unknown, input: unknown) {
  const form = parseInput(ZAddEndpointForm, input);
  try {
    return await createWebhook(caller, orgSlug as string, {
      url: form.url,
      description: form.description,
      events: form.eventsMode === "all" ? null : form.events,
    });
  } catch (error) {
    // The domain names the events' problem by its API path; the dialog shows it under Events.
    if (error instanceof AppError && error.fieldErrors) {
      const fields: Record<string, string> = {};
      for (const [path, message] of Object.entries(error.fieldErrors))
        fields[path.split(".")[0]!] ??= message;
      throw new AppError(error.code, error.message, fields, error.reason);
    }
    throw error;
  }
}

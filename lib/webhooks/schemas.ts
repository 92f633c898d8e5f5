// What a webhook endpoint is made of, as every door hands it to the domain. Browser-safe.
import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { isWebhookEventType } from "./events";
import { MAX_WEBHOOK_URL } from "./url";

const ZEvents = z
  .array(zText().max(64), { message: "events must be a list of event types." })
  .max(200, "Use at most 200 event types.")
  .transform((events, ctx) => {
    const unique = [...new Set(events.map((e) => e.trim()))];
    const unknown = unique.filter((e) => !isWebhookEventType(e));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `Unknown event type ${unknown
          .slice(0, 3)
          .map((e) => JSON.stringify(e.slice(0, 64)))
          .join(", ")}: see the list in the Add endpoint dialog or the OpenAPI document.`,
      });
      return z.NEVER;
    }
    if (unique.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "Choose at least one event type, or leave events out (all events).",
      });
      return z.NEVER;
    }
    return unique.sort();
  });

const ZUrl = zText()
  .trim()
  .min(1, "Enter the receiver's URL.")
  .max(MAX_WEBHOOK_URL, `Use a URL of at most ${MAX_WEBHOOK_URL} characters.`);

export const ZNewWebhook = z
  .object({
    url: ZUrl,
    description: zText().trim().max(500, "Use at most 500 characters.").default(""),
    /** null or absent: every event. */
    events: ZEvents.nullable().optional(),
  })
  .strict();
export type TNewWebhook = z.input<typeof ZNewWebhook>;

export const ZWebhookChanges = z
  .object({
    url: ZUrl.optional(),
    description: zText().trim().max(500, "Use at most 500 characters.").optional(),
    events: ZEvents.nullable().optional(),
    status: z.enum(["active", "disabled"], { message: "status must be active or disabled." }).optional(),
  })
  .strict();
export type TWebhookChanges = z.input<typeof ZWebhookChanges>;

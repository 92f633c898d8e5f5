// Validation of API keys, shared by the console's dialogs, the server actions, the API routes
// and the domain (lifecycle.ts). Browser-safe: zod only.
import { z } from "zod";

export const KEY_EXPIRY_CHOICES = ["never", "30", "90", "365"] as const;

const ZApiKeyName = z
  .string()
  .trim()
  .min(1, "Enter a key name, like github-actions.")
  .max(64, "Use at most 64 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "Use letters, digits, spaces, dots, dashes and underscores.");

/** Longest key lifetime anyone may choose (ten years); an org may set a shorter maximum. */
export const MAX_KEY_DAYS = 3650;

/** A new key as the domain takes it: days until it expires, or null for never. */
export const ZNewApiKey = z
  .object({
    name: ZApiKeyName,
    expiresInDays: z.number().int().min(1).max(MAX_KEY_DAYS).nullable().default(90),
  })
  .strict();
export type TNewApiKey = z.input<typeof ZNewApiKey>;

/** The API's key PATCH: the name now (restrictions come with rule 24). */
export const ZKeyChanges = z.object({ name: ZApiKeyName.optional() }).strict();

/** The grace periods the console offers; the API takes any whole hour from 0 to 168. */
export const GRACE_CHOICES = [
  { hours: 0, label: "Immediately" },
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "24 hours" },
  { hours: 168, label: "7 days" },
] as const;

/** Rotation (rule 21): how long the old key keeps working, 0 (at once) to 168 hours. */
export const ZRotation = z
  .object({
    graceHours: z
      .number({ message: "Choose how long the old key keeps working." })
      .int("Use whole hours.")
      .min(0, "Use 0 to 168 hours.")
      .max(168, "Use 0 to 168 hours (7 days)."),
  })
  .strict();
export type TRotation = z.input<typeof ZRotation>;

export const ZCreateApiKeyInput = z.object({
  name: ZApiKeyName,
  expiresIn: z.enum(KEY_EXPIRY_CHOICES, { message: "Choose when the key expires." }).default("90"),
});

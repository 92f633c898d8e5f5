// Validation of API keys, shared by the console's dialogs, the server actions, the API routes
// and the domain (lifecycle.ts). Browser-safe: zod only.
import { z } from "zod";
import { ZRestrictionsInput, rangesFromText } from "./restrictions";

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
    restrictions: ZRestrictionsInput.optional(),
  })
  .strict();
export type TNewApiKey = z.input<typeof ZNewApiKey>;

/** A key's PATCH: its name, and its restrictions (a field left out keeps its value; null lifts it). */
export const ZKeyChanges = z
  .object({ name: ZApiKeyName.optional(), restrictions: ZRestrictionsInput.optional() })
  .strict();

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

/** The console's Permission choices (rule 24): "same" stores no permission restriction. */
export const PERMISSION_CHOICES = [
  { value: "same", label: "Same as the account" },
  { value: "read", label: "Read only" },
  { value: "write", label: "Read and write" },
] as const;

export const ZCreateApiKeyInput = z.object({
  name: ZApiKeyName,
  expiresIn: z.enum(KEY_EXPIRY_CHOICES, { message: "Choose when the key expires." }).default("90"),
  permission: z.enum(["same", "read", "write"], { message: "Choose a permission." }).default("same"),
  projectsMode: z.enum(["all", "only"], { message: "Choose which projects." }).default("all"),
  projects: z.array(z.string().max(200)).max(200).default([]),
  /** One CIDR range per line. */
  allowedIps: z.string().max(4000, "List at most 32 ranges.").default(""),
});

/** Restrict (rule 27): the same restriction fields as Create API key. */
export const ZRestrictKeyForm = ZCreateApiKeyInput.pick({
  permission: true,
  projectsMode: true,
  projects: true,
  allowedIps: true,
});

/** The dialog's restriction fields as the domain's restrictions input. */
export function restrictionsFromForm(form: z.output<typeof ZRestrictKeyForm>) {
  return {
    permission: form.permission === "same" ? null : form.permission,
    projects: form.projectsMode === "only" ? form.projects : null,
    allowedIps: rangesFromText(form.allowedIps),
  };
}

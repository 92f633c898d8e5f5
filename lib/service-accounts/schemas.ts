// Validation shared by the "New service account" form, the server actions and (later) the API.
// Browser-safe: zod only.
import { z } from "zod";
import { zText } from "@/lib/validation/text";

export const SERVICE_ACCOUNT_ROLES = ["ADMIN", "MEMBER", "VIEWER"] as const;
export const AUTH_METHODS = ["API_KEY", "FEDERATED"] as const;
export const KEY_EXPIRY_CHOICES = ["never", "30", "90", "365"] as const;

export const ZServiceAccountName = z
  .string({ message: "Enter a name." })
  .trim()
  .min(3, "Use at least 3 characters.")
  .max(64, "Use at most 64 characters.")
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    "Use lowercase letters, digits and single dashes, like ci-model-training.",
  );

const ZDescription = zText().trim().max(500, "Use at most 500 characters.").default("");
const ZRole = z.enum(SERVICE_ACCOUNT_ROLES, { message: "Choose Admin, Member or Viewer." });

const ZIssuer = z
  .string()
  .trim()
  .max(512, "Use at most 512 characters.")
  .refine((v) => {
    try {
      const url = new URL(v);
      return (
        url.protocol === "https:" ||
        (url.protocol === "http:" && ["localhost", "127.0.0.1"].includes(url.hostname))
      );
    } catch {
      return false;
    }
  }, "Enter the issuer's https URL, like https://token.actions.githubusercontent.com.");

const ZFederationField = (what: string) =>
  zText().trim().min(1, `Enter the ${what}.`).max(256, "Use at most 256 characters.");

export const ZCreateServiceAccountInput = z
  .object({
    name: ZServiceAccountName,
    description: ZDescription,
    role: ZRole.default("MEMBER"),
    authMethod: z.enum(AUTH_METHODS, { message: "Choose an authentication method." }).default("API_KEY"),
    /** Org Dashboard only: the default team (slug) of an org-scoped account. */
    defaultTeam: zText().trim().max(64).optional(),
    issuer: zText().optional(),
    subject: zText().optional(),
    audience: zText().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.authMethod !== "FEDERATED") return;
    const checks = [
      ["issuer", ZIssuer],
      ["subject", ZFederationField("subject")],
      ["audience", ZFederationField("audience")],
    ] as const;
    for (const [field, schema] of checks) {
      const result = schema.safeParse(value[field] ?? "");
      if (!result.success)
        ctx.addIssue({ code: "custom", path: [field], message: result.error.issues[0]!.message });
    }
  });
export type TCreateServiceAccountInput = z.input<typeof ZCreateServiceAccountInput>;

export const ZUpdateServiceAccountInput = z.object({
  name: ZServiceAccountName,
  description: ZDescription,
  role: ZRole,
});
export const ZSetStatusInput = z.object({ status: z.enum(["ACTIVE", "DISABLED"]) });
export const ZDeleteServiceAccountInput = z.object({ confirmName: zText().max(64) });

export const ZCreateApiKeyInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Enter a key name, like github-actions.")
    .max(64, "Use at most 64 characters.")
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "Use letters, digits, spaces, dots, dashes and underscores."),
  expiresIn: z.enum(KEY_EXPIRY_CHOICES, { message: "Choose when the key expires." }).default("90"),
});
export type TCreateApiKeyInput = z.input<typeof ZCreateApiKeyInput>;

export const ZListFilters = z.object({
  q: zText().trim().max(64).default(""),
  scope: z.enum(["all", "org", "team"]).default("all"),
  status: z.enum(["all", "active", "disabled"]).default("all"),
  authMethod: z.enum(["all", "api_key", "federated"]).default("all"),
  unused: z.boolean().default(false),
  page: z.number().int().min(1).max(100_000).default(1),
});
export type TListFilters = z.input<typeof ZListFilters>;

// Names that say nothing about the workload; the form gently suggests a better one.
const VAGUE_NAME =
  /^(?:test|tmp|temp|foo|bar|demo|sa|svc|bot|service-?account|new|my|default)(?:-?(?:sa|account|bot|\d+))*$/;

/** A hint for names such as test-sa, temp or service-account-1, or null for a descriptive name. */
export function vagueNameHint(name: string): string | null {
  return VAGUE_NAME.test(name.trim())
    ? "Tip: name the workload so people recognise it in audit logs, like ci-model-training or nightly-retrain."
    : null;
}

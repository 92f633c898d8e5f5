// Validation of service accounts shared by the console's forms, the server actions, the API and the
// domain (a key's is lib/keys/schemas.ts).
// Browser-safe: zod only.
import { z } from "zod";
import { ZCidrList } from "@/lib/keys/restrictions";
import { zText } from "@/lib/validation/text";

export const SERVICE_ACCOUNT_ROLES = ["ADMIN", "MEMBER", "VIEWER"] as const;
export const AUTH_METHODS = ["API_KEY", "FEDERATED"] as const;

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

/** Rule 30: the owner, by email (a person of the org); null: nobody; absent: the default. */
export const ZOwnerEmail = zText()
  .trim()
  .toLowerCase()
  .max(254, "Use at most 254 characters.")
  .refine((v) => /^[^\s@]+@[^\s@]+$/.test(v), "Name the owner by their email, like jane@example.com.");
/** Rule 30: a free-text contact (a channel, a mailing list); empty or null: none. */
export const ZContact = zText()
  .trim()
  .max(200, "Use at most 200 characters.")
  .transform((v) => v || null);
const ZRole = z.enum(SERVICE_ACCOUNT_ROLES, { message: "Choose Admin, Member or Viewer." });

// Only the URL's shape here: whether this instance may use it (https, or http with
// DEPUTY_ALLOW_PRIVATE_ISSUERS=1) is decided once, when the provider is registered
// (lib/federation/issuer-url.ts), and an account may only trust a registered provider (rule 18).
const ZIssuer = zText()
  .trim()
  .max(512, "Use at most 512 characters.")
  .refine((v) => {
    try {
      const url = new URL(v);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "Enter the issuer's https URL, like https://token.actions.githubusercontent.com.");

const ZFederationField = (what: string) =>
  zText().trim().min(1, `Enter the ${what}.`).max(FEDERATION_LIMITS.value, "Use at most 256 characters.");

/**
 * The federation fields (rule 18), one definition that every door builds on: ZFederationShape is
 * their shape and bounds (what the API body accepts before the domain looks), ZFederationSettings
 * adds the rules and the messages people read (what the domain takes), ZFederationForm is the
 * console's "Edit federation" form (claims as lines of text, parsed by the adapter).
 */
export const FEDERATION_LIMITS = { issuer: 512, value: 256, claimName: 128, claims: 20, claimLines: 4000 };

export const ZFederationShape = z
  .object({
    issuer: zText().trim().min(1).max(FEDERATION_LIMITS.issuer),
    subject: zText().trim().min(1).max(FEDERATION_LIMITS.value),
    audience: zText().trim().min(1).max(FEDERATION_LIMITS.value),
    /** Extra claim conditions: claim name → exact value or * glob. */
    claims: z.record(
      zText().trim().min(1).max(FEDERATION_LIMITS.claimName),
      zText().trim().min(1).max(FEDERATION_LIMITS.value),
    ),
    /** Rule 25: where the exchange and its access tokens may be used from (null: anywhere). */
    allowedIps: z.array(zText().max(64)).max(64).nullable().optional(),
  })
  .strict();

/** Trust settings of a federated account, as every door hands them to the domain. */
export const ZFederationSettings = ZFederationShape.extend({
  issuer: ZIssuer,
  subject: ZFederationField("subject"),
  audience: ZFederationField("audience"),
  claims: z
    .record(zText().trim().min(1).max(FEDERATION_LIMITS.claimName), ZFederationField("claim value"))
    .refine(
      (claims) => Object.keys(claims).length <= FEDERATION_LIMITS.claims,
      "Use at most 20 claim conditions.",
    )
    .default({}),
  allowedIps: ZCidrList.nullable().optional(),
}).strict();
export type TFederationSettings = z.infer<typeof ZFederationSettings>;

/** The console's "Edit federation" form: the same fields, claims as "name=value" lines. */
export const ZFederationForm = ZFederationShape.pick({ issuer: true, audience: true, subject: true })
  .extend({
    issuer: zText().trim().min(1, "Choose the identity provider.").max(FEDERATION_LIMITS.issuer),
    audience: zText().trim().min(1, "Enter the audience.").max(FEDERATION_LIMITS.value),
    subject: zText().trim().min(1, "Enter the subject.").max(FEDERATION_LIMITS.value),
    claims: zText().max(FEDERATION_LIMITS.claimLines).default(""),
    /** One CIDR range per line; empty for any address. */
    allowedIps: zText().max(4000).default(""),
  })
  .strip();

export const ZCreateServiceAccountInput = z
  .object({
    name: ZServiceAccountName,
    description: ZDescription,
    role: ZRole.default("MEMBER"),
    authMethod: z.enum(AUTH_METHODS, { message: "Choose an authentication method." }).default("API_KEY"),
    /** Org Dashboard only: the default team (slug) of an org-scoped account. */
    defaultTeam: zText().trim().max(64).optional(),
    /** Rule 30: empty = the person creating it. */
    owner: zText().trim().max(254).optional(),
    contact: zText().trim().max(200).optional(),
    issuer: zText().optional(),
    subject: zText().optional(),
    audience: zText().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.authMethod !== "FEDERATED") return;
    const checks = [
      ["issuer", ZFederationSettings.shape.issuer],
      ["subject", ZFederationSettings.shape.subject],
      ["audience", ZFederationSettings.shape.audience],
    ] as const;
    for (const [field, schema] of checks) {
      const result = schema.safeParse(value[field] ?? "");
      if (!result.success)
        ctx.addIssue({ code: "custom", path: [field], message: result.error.issues[0]!.message });
    }
  });

/** A new account as the domain takes it, from the console or the API. */
export const ZNewServiceAccount = z
  .object({
    name: ZServiceAccountName,
    scope: z.enum(["ORG", "TEAM"]),
    /** The parent team (team scope) or the default team (org scope), by slug. */
    team: zText().trim().min(1, "Name the team.").max(64),
    description: ZDescription,
    role: ZRole.default("MEMBER"),
    authMethod: z.enum(AUTH_METHODS, { message: "Choose an authentication method." }).default("API_KEY"),
    federation: ZFederationSettings.optional(),
    owner: ZOwnerEmail.nullable().optional(),
    contact: ZContact.nullable().optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.authMethod === "FEDERATED" && !value.federation) {
      ctx.addIssue({
        code: "custom",
        path: ["federation"],
        message: "A federated account needs its trust settings: issuer, subject and audience.",
      });
    }
    if (value.authMethod !== "FEDERATED" && value.federation) {
      ctx.addIssue({
        code: "custom",
        path: ["federation"],
        message: "Only a federated account has trust settings; set authMethod to federated.",
      });
    }
  });
export type TNewServiceAccount = z.input<typeof ZNewServiceAccount>;

/** A change to an account: any of its fields; absent fields stay as they are. */
export const ZServiceAccountPatch = z
  .object({
    name: ZServiceAccountName.optional(),
    description: zText().trim().max(500, "Use at most 500 characters.").optional(),
    role: ZRole.optional(),
    status: z.enum(["ACTIVE", "DISABLED"]).optional(),
    federation: ZFederationSettings.optional(),
    owner: ZOwnerEmail.nullable().optional(),
    contact: ZContact.nullable().optional(),
  })
  .strict();
export type TServiceAccountPatch = z.input<typeof ZServiceAccountPatch>;

export const ZUpdateServiceAccountInput = z.object({
  name: ZServiceAccountName,
  description: ZDescription,
  role: ZRole,
  /** Rule 30, on the account page's Edit: empty = no owner / no contact; absent = unchanged. */
  owner: zText().trim().max(254).optional(),
  contact: zText().trim().max(200).optional(),
});
export const ZSetStatusInput = z.object({ status: z.enum(["ACTIVE", "DISABLED"]) });
export const ZDeleteServiceAccountInput = z.object({ confirmName: zText().max(64) });

export const ZListFilters = z.object({
  q: zText().trim().max(64).default(""),
  scope: z.enum(["all", "org", "team"]).default("all"),
  status: z.enum(["all", "active", "disabled"]).default("all"),
  authMethod: z.enum(["all", "api_key", "federated"]).default("all"),
  unused: z.boolean().default(false),
  page: z.number().int().min(1).max(100_000).default(1),
  /** An account to show first on page 1 whatever the order (the one just created, issue 21). */
  pin: z.string().max(64).optional(),
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

// Request and answer schemas of the management routes (SPEC §4): service accounts and their keys.
// Enumerations are answered in lower case and accepted in any case.
import { z } from "zod";
import { ZRestrictionsInput } from "@/lib/keys/restrictions";
import { ZKeyRestrictions } from "./schemas";
import { zText } from "@/lib/validation/text";
import { MAX_KEY_DAYS } from "@/lib/keys/schemas";
import { ZFederationShape, ZServiceAccountName } from "@/lib/service-accounts/schemas";
import type { ServiceAccountRecord } from "@/lib/service-accounts/directory";

/** A lower-case enumeration that also accepts upper or mixed case. */
function anyCase<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess((v) => (typeof v === "string" ? v.toLowerCase() : v), z.enum(values));
}

const SCOPES = ["org", "team"] as const;
const ROLES = ["admin", "member", "viewer"] as const;
const STATUSES = ["active", "disabled"] as const;
const AUTH_METHODS = ["api_key", "federated"] as const;

// The federation fields' shape and bounds; their rules and messages are the domain's.
const ZFederationBody = ZFederationShape.partial({ claims: true });

const ZDescriptionBody = zText().max(500);

export const ZCreateServiceAccountBody = z
  .object({
    name: ZServiceAccountName,
    scope: anyCase(SCOPES),
    team: zText().trim().min(1).max(64),
    role: anyCase(ROLES).optional(),
    authMethod: anyCase(AUTH_METHODS).optional(),
    description: ZDescriptionBody.optional(),
    federation: ZFederationBody.optional(),
    owner: zText().max(254).nullable().optional(),
    contact: zText().max(200).nullable().optional(),
  })
  .strict();

export const ZPatchServiceAccountBody = z
  .object({
    name: ZServiceAccountName.optional(),
    description: ZDescriptionBody.optional(),
    role: anyCase(ROLES).optional(),
    status: anyCase(STATUSES).optional(),
    federation: ZFederationBody.optional(),
    owner: zText().max(254).nullable().optional(),
    contact: zText().max(200).nullable().optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, {
    message: "send at least one of name, description, role, status, federation, owner, contact",
  });

export const ZCreateKeyBody = z
  .object({
    name: zText().trim().min(1).max(64),
    expiresInDays: z.number().int().min(1).max(MAX_KEY_DAYS).nullable().optional(),
    restrictions: ZRestrictionsInput.optional(),
  })
  .strict();

/** A key's PATCH (rule 24): a restrictions field left out keeps its value; null lifts it. */
export const ZUpdateKeyBody = z
  .object({ name: zText().trim().min(1).max(64).optional(), restrictions: ZRestrictionsInput.optional() })
  .strict();

export const ZRotateKeyBody = z.object({ graceHours: z.number().int().min(0).max(168) }).strict();

export const ZListServiceAccountsQuery = z
  .object({
    scope: anyCase(SCOPES).optional(),
    team: zText().trim().min(1).max(64).optional(),
    status: anyCase(STATUSES).optional(),
    authMethod: anyCase(AUTH_METHODS).optional(),
    q: zText().trim().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: zText().max(200).optional(),
  })
  .strict();

const ZRef = zText().min(1).max(128);
export const ZAccountPathParams = z.object({ account: ZRef });
export const ZKeyPathParams = z.object({ account: ZRef, keyId: ZRef });

// Answers.

export const ZServiceAccount = z
  .object({
    id: z.string(),
    name: z.string(),
    identity: z.string(),
    description: z.string(),
    scope: z.enum(SCOPES),
    team: z.string(),
    role: z.enum(ROLES),
    status: z.enum(STATUSES),
    authMethod: z.enum(AUTH_METHODS),
    federation: z
      .object({
        issuer: z.string(),
        subject: z.string(),
        audience: z.string(),
        claims: z.record(z.string(), z.string()),
        allowedIps: z.array(z.string()).nullable(),
      })
      .nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    lastUsedAt: z.string().nullable(),
    keyCount: z.number().int(),
    owner: z.string().nullable().meta({ description: "The owner's email (rule 30); null: none." }),
    ownerLeft: z.boolean().meta({ description: "The owner is no longer a member of the org." }),
    contact: z.string().nullable().meta({ description: "A channel or mailing list (rule 30)." }),
  })
  .meta({ id: "ServiceAccount", description: "A service account (SPEC §4). Never holds a secret." });

export const ZApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    last4: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    status: z.enum(["active", "expired", "revoked", "leaked"]),
    restrictions: ZKeyRestrictions,
  })
  .meta({ id: "ApiKey", description: "An API key, without its secret: only its last 4 characters." });

export const ZServiceAccountAnswer = z.object({ serviceAccount: ZServiceAccount });
export const ZListServiceAccountsAnswer = z.object({
  serviceAccounts: z.array(ZServiceAccount),
  nextCursor: z.string().nullable(),
});
export const ZListKeysAnswer = z.object({ keys: z.array(ZApiKey) });
export const ZCreateKeyAnswer = z.object({ key: ZApiKey.extend({ secret: z.string() }) });
export const ZRotateKeyAnswer = z.object({ key: ZApiKey.extend({ secret: z.string() }), previous: ZApiKey });

export type TServiceAccount = z.infer<typeof ZServiceAccount>;

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** A domain record as the API answers it: lower-case enums, ISO times. */
export function serviceAccountAnswer(record: ServiceAccountRecord): TServiceAccount {
  return {
    ...record,
    scope: record.scope === "ORG" ? "org" : "team",
    role: record.role.toLowerCase() as TServiceAccount["role"],
    status: record.status === "ACTIVE" ? "active" : "disabled",
    authMethod: record.authMethod === "API_KEY" ? "api_key" : "federated",
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: iso(record.lastUsedAt),
  };
}

export function apiKeyAnswer<K extends { createdAt: Date; expiresAt: Date | null; lastUsedAt: Date | null }>(
  key: K,
) {
  return {
    ...key,
    createdAt: key.createdAt.toISOString(),
    expiresAt: iso(key.expiresAt),
    lastUsedAt: iso(key.lastUsedAt),
  };
}

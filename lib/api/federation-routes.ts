// Federation routes (SPEC §4): identity providers for org-scoped ADMIN accounts, and the RFC 8693
// token exchange for workloads with a JWT. Thin doors onto lib/federation.
import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { exchangeToken } from "@/lib/federation/exchange";
import { OAuthError, TOKEN_EXCHANGE_GRANT, ZTokenExchangeForm } from "@/lib/federation/token-endpoint";
import {
  addIdentityProvider,
  listIdentityProviders,
  removeIdentityProvider,
} from "@/lib/federation/providers";
import { countResult } from "@/lib/ops/metrics";
import { ApiError } from "./errors";
import { defineRoute, type RouteAnswer } from "./router";

export const ZIdentityProvider = z
  .object({
    id: z.string(),
    issuer: z.string(),
    name: z.string(),
    jwksUri: z.string().describe("Where the keys are fetched from: explicit, or discovered from the issuer."),
    keyCount: z.number().int(),
    refreshedAt: z.string(),
    trustedBy: z.array(z.string()).describe("Names of the live accounts that trust this issuer."),
  })
  .meta({ id: "IdentityProvider" });

const ZIdentityProviderBody = z
  .object({
    issuer: zText().trim().min(1).max(512),
    name: zText().trim().min(1).max(100),
    jwksUri: zText().trim().min(1).max(512).optional(),
  })
  .strict();

export const ZTokenAnswer = z.object({
  access_token: z.string(),
  issued_token_type: z.literal("urn:ietf:params:oauth:token-type:access_token"),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int(),
});

export const ZOAuthErrorAnswer = z.object({
  error: z.enum(["invalid_request", "invalid_grant", "invalid_scope", "unsupported_grant_type"]),
  error_description: z.string(),
});

type ProviderRow = {
  id: string;
  issuer: string;
  name: string;
  resolvedJwksUri: string;
  keyCount: number;
  refreshedAt: Date;
  trustedBy?: { name: string }[];
};

const providerAnswer = (p: ProviderRow): z.infer<typeof ZIdentityProvider> => ({
  id: p.id,
  issuer: p.issuer,
  name: p.name,
  jwksUri: p.resolvedJwksUri,
  keyCount: p.keyCount,
  refreshedAt: p.refreshedAt.toISOString(),
  trustedBy: (p.trustedBy ?? []).map((t) => t.name),
});

export const listIdentityProvidersRoute = defineRoute({
  method: "GET",
  path: "/api/v1/identity-providers",
  operationId: "listIdentityProviders",
  summary: "The organization's trusted JWT issuers, with their keys' state and the accounts that trust each.",
  access: "admin",
  responses: {
    200: {
      description: "The identity providers",
      schema: z.object({ identityProviders: z.array(ZIdentityProvider) }),
    },
  },
  errors: ["forbidden"],
  handle: async ({ principal }) => ({
    status: 200,
    body: { identityProviders: (await listIdentityProviders(principal)).map(providerAnswer) },
  }),
});

export const addIdentityProviderRoute = defineRoute({
  method: "POST",
  path: "/api/v1/identity-providers",
  operationId: "addIdentityProvider",
  summary:
    "Register an issuer. Deputy fetches its discovery document (or the explicit jwksUri) and key set first, and answers 400 saying what failed if it cannot.",
  access: "admin",
  body: ZIdentityProviderBody,
  bodyName: "identity provider",
  responses: {
    201: { description: "Registered", schema: z.object({ identityProvider: ZIdentityProvider }) },
  },
  errors: ["invalid_request", "forbidden", "conflict"],
  handle: async ({ principal, body }) => ({
    status: 201,
    body: { identityProvider: providerAnswer(await addIdentityProvider(principal, undefined, body)) },
  }),
});

export const removeIdentityProviderRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/identity-providers/{id}",
  operationId: "removeIdentityProvider",
  summary: "Remove an issuer; 409 while an account trusts it.",
  access: "admin",
  params: z.object({ id: zText().min(1).max(128) }),
  responses: { 204: { description: "Removed" } },
  errors: ["invalid_request", "forbidden", "not_found", "conflict"],
  handle: async ({ principal, params }) => {
    await removeIdentityProvider(principal, undefined, params.id);
    return { status: 204 };
  },
});

function oauthAnswer(error: OAuthError, headers: Record<string, string> = {}): RouteAnswer {
  return { status: 400, body: { error: error.error, error_description: error.description }, headers };
}

export const tokenExchangeRoute = defineRoute({
  method: "POST",
  path: "/api/v1/oauth/token",
  operationId: "exchangeToken",
  summary: `RFC 8693 token exchange: a workload's JWT (subject_token) for a short-lived access token of the federated service account that trusts it. grant_type=${TOKEN_EXCHANGE_GRANT}. Refusals are RFC 6749 §5.2 errors that say which check failed.`,
  access: "public",
  formBody: ZTokenExchangeForm,
  errorBody: ZOAuthErrorAnswer,
  responses: { 200: { description: "An access token", schema: ZTokenAnswer } },
  errors: [],
  handle: async ({ readForm, failures, source }) => {
    const wait = failures.retryAfterSeconds();
    if (wait > 0) {
      return {
        status: 429,
        body: {
          error: "invalid_request",
          error_description: `Too many failed attempts from this address. Retry in ${wait} s.`,
        },
        headers: { "retry-after": String(wait) },
      };
    }
    // Counted before the work and taken back on success, so parallel attempts cannot slip past
    // the limit while the first ones are still being decided.
    failures.record();
    try {
      let raw: Record<string, string>;
      try {
        raw = await readForm();
      } catch (error) {
        if (error instanceof ApiError) throw new OAuthError("invalid_request", error.message);
        throw error;
      }
      const parsed = ZTokenExchangeForm.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.path.join(".") || "body";
        throw new OAuthError(
          "invalid_request",
          issue.code === "unrecognized_keys"
            ? `Unknown parameter: ${issue.keys.join(", ")}.`
            : `${field}: ${issue.code === "invalid_type" ? "missing" : issue.message}.`,
        );
      }
      const answer = await exchangeToken(parsed.data, source);
      failures.forgive();
      countResult("exchanges", "granted");
      return { status: 200, body: answer };
    } catch (error) {
      // Every failed exchange stays counted, including one that fails unexpectedly: a request
      // that can make the server fail must not be free to repeat.
      countResult("exchanges", error instanceof OAuthError ? error.error : "error");
      if (!(error instanceof OAuthError)) throw error;
      return oauthAnswer(error);
    }
  },
});

export const FEDERATION_ROUTES = [
  listIdentityProvidersRoute,
  addIdentityProviderRoute,
  removeIdentityProviderRoute,
  tokenExchangeRoute,
];

// The management routes of SPEC §4 (rule 17): thin doors onto the service-accounts and keys domain, which
// authorises the calling ADMIN account and audits under its display identity.
import {
  createAccount,
  deleteAccount,
  getManagedAccount,
  listManagedAccounts,
  updateAccount,
} from "@/lib/service-accounts";
import { createKey, listKeys, revokeKey, rotateKey, updateKey } from "@/lib/keys/lifecycle";
import { suggestRestrictions } from "@/lib/keys/suggested-restrictions";
import type { TFederationSettings } from "@/lib/service-accounts/schemas";
import { z } from "zod";
import { defineRoute } from "./router";
import { ZKeyRestrictions } from "./schemas";
import {
  ZAccountPathParams,
  ZApiKey,
  ZUpdateKeyBody,
  ZCreateKeyAnswer,
  ZCreateKeyBody,
  ZCreateServiceAccountBody,
  ZKeyPathParams,
  ZListKeysAnswer,
  ZListServiceAccountsAnswer,
  ZListServiceAccountsQuery,
  ZPatchServiceAccountBody,
  ZRotateKeyAnswer,
  ZRotateKeyBody,
  ZServiceAccountAnswer,
  apiKeyAnswer,
  serviceAccountAnswer,
} from "./management-schemas";
import type { ServiceAccountPrincipal } from "@/lib/core/principal";

const upper = <T extends string>(value: T | undefined) => value?.toUpperCase() as Uppercase<T> | undefined;

const federationOf = (
  federation: { claims?: Record<string, string> } & Omit<TFederationSettings, "claims">,
) => ({
  ...federation,
  claims: federation.claims ?? {},
});

async function accountAnswer(principal: ServiceAccountPrincipal, ref: string) {
  return { serviceAccount: serviceAccountAnswer(await getManagedAccount(principal, ref)) };
}

export const listServiceAccountsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/service-accounts",
  operationId: "listServiceAccounts",
  summary: "The service accounts the caller manages, by name, cursor-paginated and filterable.",
  access: "admin",
  query: ZListServiceAccountsQuery,
  responses: { 200: { description: "A page of service accounts", schema: ZListServiceAccountsAnswer } },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, query }) => {
    const page = await listManagedAccounts(principal, query);
    return {
      status: 200,
      body: { serviceAccounts: page.serviceAccounts.map(serviceAccountAnswer), nextCursor: page.nextCursor },
    };
  },
});

export const createServiceAccountRoute = defineRoute({
  method: "POST",
  path: "/api/v1/service-accounts",
  operationId: "createServiceAccount",
  summary:
    "Create a service account. `team` is its parent team (team scope) or its default team (org scope); `federation` is required when `authMethod` is federated.",
  access: "admin",
  body: ZCreateServiceAccountBody,
  bodyName: "service account",
  responses: { 201: { description: "The account was created", schema: ZServiceAccountAnswer } },
  errors: ["invalid_request", "forbidden", "not_found", "name_taken", "conflict", "policy_denied"],
  handle: async ({ principal, body }) => {
    const { id } = await createAccount(principal, {
      name: body.name,
      scope: upper(body.scope)!,
      team: body.team,
      description: body.description,
      role: upper(body.role),
      authMethod: upper(body.authMethod),
      federation: body.federation && federationOf(body.federation),
      owner: body.owner,
      contact: body.contact,
    });
    return { status: 201, body: await accountAnswer(principal, id) };
  },
});

export const getServiceAccountRoute = defineRoute({
  method: "GET",
  path: "/api/v1/service-accounts/{account}",
  operationId: "getServiceAccount",
  summary: "One service account, by id or name.",
  access: "admin",
  params: ZAccountPathParams,
  responses: { 200: { description: "The account", schema: ZServiceAccountAnswer } },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: await accountAnswer(principal, params.account),
  }),
});

export const updateServiceAccountRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/service-accounts/{account}",
  operationId: "updateServiceAccount",
  summary:
    "Change any of name, description, role, status and federation. No account changes its own role or status.",
  access: "admin",
  params: ZAccountPathParams,
  body: ZPatchServiceAccountBody,
  bodyName: "change",
  responses: { 200: { description: "The account after the change", schema: ZServiceAccountAnswer } },
  errors: ["invalid_request", "forbidden", "not_found", "name_taken", "conflict"],
  handle: async ({ principal, params, body }) => {
    const { id } = await updateAccount(principal, params.account, {
      name: body.name,
      description: body.description,
      role: upper(body.role),
      status: upper(body.status),
      federation: body.federation && federationOf(body.federation),
      owner: body.owner,
      contact: body.contact,
    });
    return { status: 200, body: await accountAnswer(principal, id) };
  },
});

export const deleteServiceAccountRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/service-accounts/{account}",
  operationId: "deleteServiceAccount",
  summary:
    "Delete a service account: every key is revoked; its audit history stays. No account deletes itself.",
  access: "admin",
  params: ZAccountPathParams,
  responses: { 204: { description: "Deleted" } },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params }) => {
    await deleteAccount(principal, params.account);
    return { status: 204 };
  },
});

export const listKeysRoute = defineRoute({
  method: "GET",
  path: "/api/v1/service-accounts/{account}/keys",
  operationId: "listKeys",
  summary: "An account's API keys, newest first. Never a secret or a hash.",
  access: "admin",
  params: ZAccountPathParams,
  responses: { 200: { description: "The keys", schema: ZListKeysAnswer } },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: { keys: (await listKeys(principal, params.account)).map(apiKeyAnswer) },
  }),
});

export const createKeyRoute = defineRoute({
  method: "POST",
  path: "/api/v1/service-accounts/{account}/keys",
  operationId: "createKey",
  summary:
    "Create an API key. The answer holds `secret`, shown this once and never again. `expiresInDays` defaults to 90; null never expires (unless the org sets a maximum). 409 for a federated or disabled account.",
  access: "admin",
  params: ZAccountPathParams,
  body: ZCreateKeyBody,
  bodyName: "key",
  responses: { 201: { description: "The key, with its secret (once)", schema: ZCreateKeyAnswer } },
  errors: ["invalid_request", "not_found", "conflict", "policy_denied"],
  handle: async ({ principal, params, body }) => ({
    status: 201,
    body: { key: apiKeyAnswer(await createKey(principal, params.account, body)) },
  }),
});

export const revokeKeyRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/service-accounts/{account}/keys/{keyId}",
  operationId: "revokeKey",
  summary: "Revoke a key, named by its id or by the key id inside its token (dpt_<keyId>_…).",
  access: "admin",
  params: ZKeyPathParams,
  responses: { 204: { description: "Revoked (or already revoked)" } },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, params }) => {
    await revokeKey(principal, params.account, params.keyId);
    return { status: 204 };
  },
});

export const rotateKeyRoute = defineRoute({
  method: "POST",
  path: "/api/v1/service-accounts/{account}/keys/{keyId}/rotate",
  operationId: "rotateKey",
  summary:
    "Rotate a key (rule 21): a new key, whose secret is shown this once, and the old key working until the end of the grace period (0 = refused at once), then refused as expired. A key in its grace period counts toward the keys-per-account quota.",
  access: "admin",
  params: ZKeyPathParams,
  body: ZRotateKeyBody,
  bodyName: "rotation",
  responses: {
    201: { description: "The new key (with its secret, once) and the old one", schema: ZRotateKeyAnswer },
  },
  errors: ["invalid_request", "not_found", "conflict", "policy_denied"],
  handle: async ({ principal, params, body }) => {
    const rotated = await rotateKey(principal, params.account, params.keyId, body);
    return {
      status: 201,
      body: { key: apiKeyAnswer(rotated.key), previous: apiKeyAnswer(rotated.previous) },
    };
  },
});

// Renames a key and changes its restrictions (rule 24).
export const updateKeyRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/service-accounts/{account}/keys/{keyId}",
  operationId: "updateKey",
  summary:
    "Rename a key and change its restrictions (rule 24): a restrictions field left out keeps its value, null lifts it. Restrictions may only narrow the account (a permission above its role is 400); the change is audited (api_key.restrictions_changed) and takes effect at once.",
  access: "admin",
  params: ZKeyPathParams,
  body: ZUpdateKeyBody,
  bodyName: "change",
  responses: { 200: { description: "The key after the change", schema: z.object({ key: ZApiKey }) } },
  errors: ["invalid_request", "forbidden", "not_found", "policy_denied"],
  handle: async ({ principal, params, body }) => ({
    status: 200,
    body: { key: apiKeyAnswer(await updateKey(principal, params.account, params.keyId, body)) },
  }),
});

export const ZSuggestionAnswer = z
  .object({
    keyId: z.string(),
    description: z.string().meta({ description: "What the key did in the last 30 days, in words." }),
    requests: z.number().int(),
    days: z.number().int(),
    current: ZKeyRestrictions,
    suggested: ZKeyRestrictions,
    narrows: z.array(z.enum(["permission", "projects", "allowedIps"])),
  })
  .meta({ id: "RestrictionSuggestion" });

// Rule 27: what a key did and the narrowest restrictions that would have allowed all of it.
export const suggestKeyRestrictionsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/service-accounts/{account}/keys/{keyId}/suggested-restrictions",
  operationId: "suggestKeyRestrictions",
  summary:
    'Right-sizing (rule 27): what the key did in the last 30 days (projects read and written, management calls, client addresses) and the narrowest restrictions that would still have allowed every request. Apply them with PATCH …/keys/{keyId} {"restrictions": suggested}.',
  access: "admin",
  params: ZKeyPathParams,
  responses: { 200: { description: "The key's use and the proposal", schema: ZSuggestionAnswer } },
  errors: ["not_found"],
  handle: async ({ principal, params }) => {
    const { suggestedInput: _input, ...answer } = await suggestRestrictions(
      principal,
      params.account,
      params.keyId,
    );
    return { status: 200, body: answer };
  },
});

/** The management routes, in matching order. */
export const MANAGEMENT_ROUTES = [
  listServiceAccountsRoute,
  createServiceAccountRoute,
  getServiceAccountRoute,
  updateServiceAccountRoute,
  deleteServiceAccountRoute,
  listKeysRoute,
  createKeyRoute,
  revokeKeyRoute,
  rotateKeyRoute,
  updateKeyRoute,
  suggestKeyRestrictionsRoute,
];

// The /api/v1 route table (SPEC §4). Each route is declared once; the dispatcher
// (lib/api/router.ts) serves it and lib/api/openapi.ts documents it.
import type { VerifiedKey } from "@/lib/keys/verify";
import { defineRoute, type Route } from "./router";
import { ZViewerAnswer } from "./schemas";
import { openApiDocumentJson } from "./openapi";
import { MANAGEMENT_ROUTES } from "./management-routes";
import { FEDERATION_ROUTES } from "./federation-routes";
import { TEAM_ROUTES } from "./team-routes";
import { PROJECT_ROUTES } from "./project-routes";
import { WEBHOOK_ROUTES } from "./webhook-routes";
import { POLICY_ROUTES } from "./policy-routes";
import { listAuditEventsRoute } from "./audit-routes";
import { reportLeakedKeysRoute } from "./leak-routes";
import { createRunRoute, listRunsRoute } from "./run-routes";
import { restrictionsAnswer } from "@/lib/keys/credential-restrictions";

// A verified key's record is shared while cached, so its viewer answer is serialised once.
const viewerJsonCache = new WeakMap<VerifiedKey, string>();

function viewerJson(verified: VerifiedKey): string {
  let json = viewerJsonCache.get(verified);
  if (json === undefined) {
    const { key, serviceAccount: sa } = verified;
    json = JSON.stringify({
      principal: {
        type: "service_account",
        id: sa.id,
        name: sa.name,
        identity: sa.identity,
        scope: sa.scope === "ORG" ? "org" : "team",
        organization: sa.orgSlug,
        team: sa.scope === "TEAM" ? sa.team.slug : null,
        defaultEntity: sa.team.slug,
        role: sa.role.toLowerCase(),
      },
      credential: {
        type: verified.type ?? "api_key",
        id: key.id,
        name: key.name,
        expiresAt: key.expiresAt?.toISOString() ?? null,
        restrictions: restrictionsAnswer(verified.restrictions),
      },
    });
    viewerJsonCache.set(verified, json);
  }
  return json;
}

export const viewerRoute = defineRoute({
  method: "GET",
  path: "/api/v1/viewer",
  operationId: "getViewer",
  summary: "Who is calling: the service account and the credential it used.",
  access: "credential",
  responses: { 200: { description: "The caller", schema: ZViewerAnswer } },
  errors: [],
  handle: ({ caller }) => ({ status: 200, json: viewerJson(caller) }),
});

export const openApiRoute = defineRoute({
  method: "GET",
  path: "/api/v1/openapi.json",
  operationId: "getOpenApiDocument",
  summary: "This document: OpenAPI 3.1, generated from the route table that serves the API.",
  access: "public",
  responses: { 200: { description: "The OpenAPI 3.1 document" } },
  errors: [],
  handle: () => ({ status: 200, json: openApiDocumentJson(API_ROUTES) }),
});

/** Every /api/v1 route, in matching order. */
export const API_ROUTES: Route[] = [
  viewerRoute,
  createRunRoute,
  listRunsRoute,
  ...MANAGEMENT_ROUTES,
  ...TEAM_ROUTES,
  ...PROJECT_ROUTES,
  ...FEDERATION_ROUTES,
  ...WEBHOOK_ROUTES,
  ...POLICY_ROUTES,
  listAuditEventsRoute,
  reportLeakedKeysRoute,
  openApiRoute,
] as Route[];

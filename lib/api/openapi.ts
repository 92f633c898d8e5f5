// The OpenAPI 3.1 document of /api/v1, generated from the route table and its zod schemas (zod 4
// emits JSON Schema 2020-12, which OpenAPI 3.1 uses), so it cannot drift from the code.
import { z } from "zod";
import type { ApiErrorCode } from "./errors";
import type { Route } from "./router";
import { ZErrorAnswer } from "./schemas";

const CREDENTIAL_ERRORS: Record<number, ApiErrorCode[]> = {
  401: [
    "missing_credential",
    "invalid_credential",
    "expired_credential",
    "revoked_credential",
    "account_disabled",
  ],
  429: ["rate_limited"],
};
const STATUS_OF: Partial<Record<ApiErrorCode, number>> = {
  invalid_request: 400,
  missing_credential: 401,
  invalid_credential: 401,
  forbidden: 403,
  restricted_project: 403,
  cross_team_write_denied: 403,
  read_only_role: 403,
  scope_denied: 403,
  policy_denied: 403,
  ip_not_allowed: 403,
  not_found: 404,
  name_taken: 409,
  conflict: 409,
};

/**
 * A schema as JSON Schema. Schemas named with `.meta({ id })` (ServiceAccount, ApiKey) become
 * shared components, so generated clients get one type for each.
 */
function schemaOf(schema: z.ZodType, io: "input" | "output", components: Record<string, unknown> = {}) {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  const defs = (json.$defs ?? {}) as Record<string, unknown>;
  delete json.$defs;
  const toComponent = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<
      string,
      unknown
    >;
  for (const [name, def] of Object.entries(defs)) components[name] = toComponent(def);
  return toComponent(json);
}

function errorResponse(codes: ApiErrorCode[]) {
  return {
    description: `Error: ${codes.join(", ")}`,
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  };
}

/** The document for a route table. */
export function openApiDocument(routes: Route[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, unknown> = { Error: schemaOf(ZErrorAnswer, "output") };
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, answer] of Object.entries(route.responses)) {
      responses[status] = {
        description: answer.description,
        ...(answer.schema
          ? { content: { "application/json": { schema: schemaOf(answer.schema, "output", components) } } }
          : {}),
      };
    }
    // Any route refuses a credential sent in the URL with 400.
    const errors = new Map<number, ApiErrorCode[]>([[400, ["invalid_request"]]]);
    for (const code of route.errors.filter((c) => c !== "invalid_request")) {
      const status = STATUS_OF[code] ?? 400;
      errors.set(status, [...(errors.get(status) ?? []), code]);
    }
    if (route.access === "admin") {
      // Rule 24: a key without admin permission, or limited to projects, is scope_denied here.
      errors.set(403, [
        ...new Set([...(errors.get(403) ?? []), "forbidden" as const, "scope_denied" as const]),
      ]);
    }
    if (route.access !== "public") {
      for (const [status, codes] of Object.entries(CREDENTIAL_ERRORS)) errors.set(Number(status), codes);
      // Rule 24: any credential may be bound to client addresses.
      errors.set(403, [...new Set([...(errors.get(403) ?? []), "ip_not_allowed" as const])]);
    }
    if (route.errorBody) {
      // The token endpoint answers RFC 6749 §5.2 errors, which OAuth clients read.
      const schema = schemaOf(route.errorBody, "output", components);
      for (const status of [400, 429]) {
        responses[String(status)] = {
          description: "Refused (RFC 6749 §5.2): error says what kind, error_description which check failed",
          content: { "application/json": { schema } },
        };
      }
    } else {
      for (const [status, codes] of errors) responses[String(status)] = errorResponse(codes);
    }

    const parameters: unknown[] = [];
    for (const [location, schema] of [
      ["path", route.params],
      ["query", route.query],
    ] as const) {
      if (!schema) continue;
      const json = schemaOf(schema, "input") as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: location,
          required: location === "path" || (json.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.access === "admin"
        ? { description: "Who: an ADMIN service account, within its scope (SPEC rule 17)." }
        : {}),
      ...(route.access === "public" ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.formBody
        ? {
            requestBody: {
              required: true,
              content: {
                "application/x-www-form-urlencoded": {
                  schema: schemaOf(route.formBody, "input", components),
                },
              },
            },
          }
        : {}),
      ...(route.rawJsonBody
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaOf(route.rawJsonBody, "input", components) } },
            },
          }
        : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { "application/json": { schema: schemaOf(route.body, "input", components) } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Deputy API",
      version: "1",
      description:
        'Service accounts\' machine API. Authenticate with `Authorization: Bearer <API key>`. Errors are `{"error": {"code", "message"}}`.',
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "A Deputy API key (dpt_…), or an access token from POST /api/v1/oauth/token (dpa_…)",
        },
      },
      schemas: components,
    },
    paths,
  };
}

let cached: { routes: Route[]; json: string } | null = null;

/** The document serialised once per route table. */
export function openApiDocumentJson(routes: Route[]): string {
  if (cached?.routes !== routes) cached = { routes, json: JSON.stringify(openApiDocument(routes)) };
  return cached.json;
}

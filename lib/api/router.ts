// The /api/v1 route table's machinery: each route is declared once (method, path, who may call
// it, zod schemas for params, query, body and answers, handler) and one dispatcher matches,
// authenticates, parses, and maps every expected failure to SPEC §4's error codes. The OpenAPI
// document (lib/api/openapi.ts) is generated from the same declarations.
import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { AppError, httpErrorOf } from "@/lib/errors";
import { isDatabaseUnavailable, isRecordGone, isUniqueViolation } from "@/lib/db/errors";
import type { VerifiedKey } from "@/lib/keys/verify";
import type { ServiceAccountPrincipal } from "@/lib/core/principal";
import { ApiError, type ApiErrorCode } from "./errors";
import { describeIssues } from "./schemas";
import { labelRoute } from "@/lib/ops/metrics";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Who may call a route: anyone, any valid credential, or an ADMIN account (the management API,
 * rule 17). Finer rules — scope, self-management — live in the domain the handler calls.
 */
export type RouteAccess = "public" | "credential" | "admin";

export type RouteRequest<P, Q, B> = {
  params: P;
  query: Q;
  body: B;
  /** The authenticated caller (absent only on public routes). */
  caller: VerifiedKey;
  /** The same caller as the domain's principal. */
  principal: ServiceAccountPrincipal;
  source: { ip: string; userAgent: string | null };
  /** The request's headers (lower-case names). */
  headers: IncomingMessage["headers"];
  /** Reads the raw body (at most 64 KB), for routes that verify a signature before parsing. */
  readRawBody: () => Promise<Buffer>;
  /** Authenticates the bearer credential, for public routes that accept one too. */
  authenticate: () => Promise<VerifiedKey>;
  /** Reads an application/x-www-form-urlencoded body (routes with `formBody`). */
  readForm: () => Promise<Record<string, string>>;
  /** The per-address failure limiter that credentials count toward. */
  failures: { retryAfterSeconds(): number; record(): void; forgive(): void };
};

/** An answer: JSON to serialise, or JSON already serialised (the hot path caches it). */
export type RouteAnswer =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; json: string }
  /** No content (204). */
  | { status: 204 };

export type Route<P = unknown, Q = unknown, B = unknown> = {
  method: HttpMethod;
  /** OpenAPI-style path: /api/v1/projects/{entity}/{project}/runs */
  path: string;
  operationId: string;
  summary: string;
  access: RouteAccess;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** What the body is, for error messages ("Invalid run: …"). */
  bodyName?: string;
  /** A form-encoded body the handler reads itself (documented, not parsed by the dispatcher). */
  formBody?: z.ZodType;
  /** A JSON body the handler reads itself, raw (documented, not parsed by the dispatcher). */
  rawJsonBody?: z.ZodType;
  /** Errors in another shape than SPEC's (the token endpoint's RFC 6749 errors), for the document. */
  errorBody?: z.ZodType;
  /** Answers by status, for the document; errors are added from `errors`. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /** The error codes this route may answer besides the credential ones. */
  errors: ApiErrorCode[];
  handle(request: RouteRequest<P, Q, B>): Promise<RouteAnswer> | RouteAnswer;
};

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<P, Q, B>(route: Route<P, Q, B>): Route<P, Q, B> {
  return route;
}

type CompiledRoute = { route: Route; pattern: RegExp; names: string[] };

/** Any failure as the API answers it; unexpected ones become null (a 500, logged by the caller). */
export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof AppError) {
    const { status, code } = httpErrorOf(error);
    const fields = error.fieldErrors
      ? ` (${Object.entries(error.fieldErrors)
          .map(([field, problem]) => `${field}: ${problem}`)
          .join("; ")})`
      : "";
    return new ApiError(status, code, `${error.message}${fields}`);
  }
  if (isUniqueViolation(error)) {
    return new ApiError(409, "conflict", "Another request changed the same thing at once. Retry.");
  }
  if (isRecordGone(error)) {
    return new ApiError(404, "not_found", "It was just removed by another request.");
  }
  if (isDatabaseUnavailable(error)) {
    return new ApiError(
      503,
      "service_unavailable",
      "The database is not answering right now. Retry shortly.",
      {
        "retry-after": "5",
      },
    );
  }
  return null;
}

/**
 * Rule 24 on the management API: it needs a key whose permission is admin and that is not
 * limited to projects (a key for some projects must not be able to make keys for all of them).
 */
function assertManagementScope(caller: VerifiedKey): void {
  const { permission, projects } = caller.restrictions;
  if (permission !== "admin") {
    throw new ApiError(
      403,
      "scope_denied",
      `This key's permission is ${permission}: the management API needs a key with admin permission.`,
    );
  }
  if (projects) {
    throw new ApiError(
      403,
      "scope_denied",
      `This key is limited to ${projects.length === 1 ? "1 project" : `${projects.length} projects`}: the management API needs a key without a projects restriction.`,
    );
  }
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, what: string): T {
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ApiError(400, "invalid_request", `Invalid ${what}: ${describeIssues(parsed.error)}.`);
  return parsed.data;
}

/**
 * What the dispatcher needs of one request, given by the HTTP handler. A class instance there, so
 * that a request costs one object, not a closure per capability (the hot path's allocations).
 */
export type DispatchContext = {
  authenticate(): Promise<VerifiedKey>;
  readBody(): Promise<unknown>;
  readForm(): Promise<Record<string, string>>;
  readRawBody(): Promise<Buffer>;
  /** The failure limiter of this request's path (built on use: only public routes need it). */
  failures(): RouteRequest<unknown, unknown, unknown>["failures"];
  decodeSegment(segment: string): string;
  ip: string;
  /** Records what an allowed request of a key did (rule 27). */
  noteUse?: (caller: VerifiedKey, kind: "read" | "write" | "admin", project?: string) => void;
};

export type Dispatcher = {
  routes: Route[];
  /** Matches and runs a route; throws ApiError (or anything a handler throws). */
  dispatch(
    req: IncomingMessage,
    path: string,
    searchParams: URLSearchParams,
    context: DispatchContext,
  ): Promise<RouteAnswer>;
};

/**
 * A matched request as its route's handler sees it. The capabilities only a few public routes
 * use (reading the raw body or a form, the failure limiter) and the domain's principal are made
 * when a handler reads them, so that the common request builds none of them; handlers may
 * destructure them as before.
 */
class RouteCall implements RouteRequest<unknown, unknown, unknown> {
  private madePrincipal: ServiceAccountPrincipal | undefined;
  constructor(
    readonly params: unknown,
    readonly query: unknown,
    readonly body: unknown,
    readonly caller: VerifiedKey,
    readonly source: { ip: string; userAgent: string | null },
    readonly headers: IncomingMessage["headers"],
    private readonly context: DispatchContext,
  ) {}

  get principal(): ServiceAccountPrincipal {
    const { caller, context } = this;
    if (!caller) return undefined as never;
    return (this.madePrincipal ??= {
      serviceAccount: caller.serviceAccount,
      restrictions: caller.restrictions,
      ...(context.noteUse && caller.type !== "access_token"
        ? { noteUse: noteUseOf(context.noteUse, caller) }
        : {}),
      ...(caller.claims ? { workloadClaims: caller.claims } : {}),
      ...this.source,
    });
  }
  get readRawBody() {
    const { context } = this;
    return () => context.readRawBody();
  }
  get readForm() {
    const { context } = this;
    return () => context.readForm();
  }
  get authenticate() {
    const { context } = this;
    return () => context.authenticate();
  }
  get failures() {
    return this.context.failures();
  }
}

function noteUseOf(
  noteUse: NonNullable<DispatchContext["noteUse"]>,
  caller: VerifiedKey,
): NonNullable<ServiceAccountPrincipal["noteUse"]> {
  return (kind, project) => noteUse(caller, kind, project);
}

/** Compiles the table once: each path becomes one anchored pattern. */
export function createDispatcher(routes: Route[]): Dispatcher {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{(\w+)\}/g, (_m, name: string) => {
        names.push(name);
        return "([^/]+)";
      });
    return { route, pattern: new RegExp(`^${source}$`), names };
  });
  const staticRoutes = new Map<string, CompiledRoute[]>();
  const dynamic: CompiledRoute[] = [];
  for (const entry of compiled) {
    if (entry.names.length > 0) dynamic.push(entry);
    else staticRoutes.set(entry.route.path, [...(staticRoutes.get(entry.route.path) ?? []), entry]);
  }

  return {
    routes,
    async dispatch(req, path, searchParams, context) {
      const method = req.method ?? "GET";
      let match: { entry: CompiledRoute; values: RegExpExecArray | null } | null = null;
      const allowed: string[] = [];
      // The hot path: a path without parameters is one map lookup, no pattern tried.
      const exact = staticRoutes.get(path);
      const candidates = exact ?? dynamic;
      for (const entry of candidates) {
        const values = exact ? null : entry.pattern.exec(path);
        if (!exact && !values) continue;
        allowed.push(entry.route.method);
        if (entry.route.method === method) {
          match = { entry, values };
          break;
        }
      }
      if (!match) {
        if (allowed.length > 0) {
          throw new ApiError(405, "invalid_request", `Use ${allowed.join(" or ")} here.`, {
            allow: allowed.join(", "),
          });
        }
        throw new ApiError(
          404,
          "not_found",
          `There is no API at ${method} ${path || "/"}. See /api/v1/openapi.json.`,
        );
      }
      const { route, names } = match.entry;
      labelRoute(req, route.path);
      const values = match.values;
      const caller = route.access === "public" ? (undefined as never) : await context.authenticate();
      if (route.access === "admin" && caller.serviceAccount.role !== "ADMIN") {
        throw new ApiError(
          403,
          "forbidden",
          `Only ADMIN service accounts may use the management API; ${caller.serviceAccount.name} is ${caller.serviceAccount.role.toLowerCase()}.`,
        );
      }
      if (route.access === "admin") {
        assertManagementScope(caller);
        // A management call needs admin permission and every project, whatever it then answers.
        context.noteUse?.(caller, "admin");
      }
      let params: unknown = undefined;
      if (route.params) {
        const rawParams: Record<string, string> = {};
        names.forEach((name, i) => (rawParams[name] = context.decodeSegment(values![i + 1]!)));
        params = parse(route.params, rawParams, "path");
      }
      const query = route.query ? parse(route.query, Object.fromEntries(searchParams), "query") : undefined;
      const body = route.body
        ? parse(route.body, await context.readBody(), route.bodyName ?? "body")
        : undefined;
      const source = { ip: context.ip, userAgent: req.headers["user-agent"] ?? null };
      return route.handle(new RouteCall(params, query, body, caller, source, req.headers, context));
    },
  };
}

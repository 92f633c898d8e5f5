// Contract checks: every answer a test receives from /api/v1 must match what openapi.json says —
// the schema of the route's documented answer, or the error shape with a documented status.
import { API_ROUTES } from "@/lib/api/routes";
import { openApiDocument } from "@/lib/api/openapi";
import { ZErrorAnswer } from "@/lib/api/schemas";

const documented = openApiDocument(API_ROUTES);
const compiled = API_ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/\{\w+\}/g, "[^/]+")}$`),
}));

/** Problems with an answer, or [] when it matches the document. Unknown paths must be JSON errors. */
export function contractProblems(method: string, url: string, status: number, body: unknown): string[] {
  const path = new URL(url, "http://x").pathname.replace(/\/+$/, "");
  const entry = compiled.find((c) => c.route.method === method && c.pattern.test(path));
  if (status >= 400) {
    const parsed = (entry?.route.errorBody ?? ZErrorAnswer).safeParse(body);
    if (!parsed.success) return [`${method} ${path} ${status}: not the error shape`];
    if (!entry) return [];
    const operation = documented.paths[entry.route.path]?.[method.toLowerCase()] as
      { responses: Record<string, unknown> } | undefined;
    // Transport-level refusals (wrong method, body too large or not JSON, headers too large).
    return operation?.responses[String(status)] || [405, 413, 415, 431].includes(status)
      ? []
      : [`${method} ${path}: status ${status} is not documented`];
  }
  if (!entry) return [`${method} ${path} ${status}: no documented route answered`];
  const schema = entry.route.responses[status]?.schema;
  if (!entry.route.responses[status]) return [`${method} ${path}: status ${status} is not documented`];
  if (!schema) return [];
  const parsed = schema.safeParse(body);
  return parsed.success ? [] : [`${method} ${path} ${status}: ${parsed.error.message.slice(0, 300)}`];
}

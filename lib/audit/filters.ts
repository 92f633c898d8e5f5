// The Audit log tab's filters as they travel in its URL (?actorType=…&from=2026-11-01…): one
// translation into the shared query, for the page and its export alike. Browser-safe.
import type { TAuditQuery } from "./query";

export type AuditFilterParams = {
  actorType?: string;
  action?: string;
  from?: string;
  to?: string;
  q?: string;
  cursor?: string;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Dates are whole UTC days: From includes its day, To includes its day too. */
export function auditQueryOf(params: AuditFilterParams): TAuditQuery {
  const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    actorType: params.actorType && params.actorType !== "all" ? params.actorType : undefined,
    action: params.action || undefined,
    q: params.q?.trim() || undefined,
    from: params.from ? (DAY.test(params.from) ? `${params.from}T00:00:00Z` : params.from) : undefined,
    to: params.to ? (DAY.test(params.to) ? nextDay(params.to) : params.to) : undefined,
    cursor: params.cursor || undefined,
  };
}

/** The same filters as a query string (without the cursor unless given). */
export function auditSearch(params: AuditFilterParams, extra: Record<string, string> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...params, ...extra })) {
    if (value && name !== "cursor") search.set(name, value);
  }
  if (extra.cursor) search.set("cursor", extra.cursor);
  const text = search.toString();
  return text ? `?${text}` : "";
}

import { REQUEST_ID_HEADER, requestIdOf } from "@/lib/ops/request-log";
import { config } from "@/lib/config/env";
import { NON_PAGE_CSP, staticSecurityHeaders } from "@/lib/security/headers";
import type { ServerResponse } from "node:http";

export type ApiErrorCode =
  | "invalid_request"
  | "missing_credential"
  | "invalid_credential"
  | "expired_credential"
  | "revoked_credential"
  | "account_disabled"
  | "forbidden"
  | "restricted_project"
  | "cross_team_write_denied"
  | "read_only_role"
  | "scope_denied"
  | "ip_not_allowed"
  | "policy_denied"
  | "not_found"
  | "name_taken"
  | "conflict"
  | "rate_limited"
  | "service_unavailable"
  | "internal_error";

/**
 * An API failure with its HTTP status and a message that says what to fix (SPEC §4). It is an
 * answer, not a fault: nothing logs its stack, so none is captured — building one was a tenth of
 * the cost of refusing a garbage key, the request an attacker can send for free.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly headers: Record<string, string>;
  constructor(status: number, code: ApiErrorCode, message: string, headers: Record<string, string> = {}) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendJsonText(res, status, JSON.stringify(body), headers);
}

let answerHeaders: { publicUrl: string; lines: string[] } | undefined;

/**
 * The headers of every API answer (SPEC §8's security headers and the non-page policy, JSON, no
 * caching), as the flat name/value list `writeHead` takes: built once, not set one by one per
 * request (mountApi leaves API answers to us).
 */
function apiAnswerHeaders(): string[] {
  const { publicUrl } = config();
  if (answerHeaders?.publicUrl !== publicUrl) {
    answerHeaders = {
      publicUrl,
      lines: [
        ...Object.entries(staticSecurityHeaders(publicUrl)).flat(),
        "content-security-policy",
        NON_PAGE_CSP,
        "cache-control",
        "no-store",
      ],
    };
  }
  return answerHeaders.lines;
}

function writeApiHead(
  res: ServerResponse,
  status: number,
  extra: string[],
  headers: Record<string, string>,
): void {
  const lines = apiAnswerHeaders().concat(extra);
  const requestId = requestIdOf(res);
  if (requestId) lines.push(REQUEST_ID_HEADER, requestId);
  for (const name in headers) lines.push(name, headers[name]!);
  res.writeHead(status, lines);
}

/** Sends an already serialised JSON answer. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  payload: string,
  headers: Record<string, string> = {},
): void {
  writeApiHead(
    res,
    status,
    ["content-type", "application/json; charset=utf-8", "content-length", String(Buffer.byteLength(payload))],
    headers,
  );
  res.end(payload);
}

/** An answer without content (204). */
export function sendEmpty(res: ServerResponse, status: number): void {
  writeApiHead(res, status, [], {});
  res.end();
}

/** `{"error": {"code", "message", "requestId"}}`: the id is the answer's x-request-id (rule 37). */
export function sendError(res: ServerResponse, error: ApiError): void {
  const headers = { ...error.headers };
  if (error.status === 401) headers["www-authenticate"] = `Bearer error="invalid_token"`;
  const requestId = requestIdOf(res);
  sendJson(
    res,
    error.status,
    { error: { code: error.code, message: error.message, ...(requestId ? { requestId } : {}) } },
    headers,
  );
}

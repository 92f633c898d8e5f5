import { requestIdOf } from "@/lib/ops/request-log";
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

/** An API failure with its HTTP status and a message that says what to fix (SPEC §4). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
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

/** Sends an already serialised JSON answer. */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  payload: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(payload);
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

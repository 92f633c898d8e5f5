export type AppErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "NAME_TAKEN"
  | "LIMIT_REACHED"
  | "INVALID"
  | "RATE_LIMITED";

/**
 * Why a FORBIDDEN refusal was made, where the caller needs more than "forbidden" to fix it: the
 * SPEC §4 code the API answers in place of the code's own.
 */
export type AppErrorReason =
  "restricted_project" | "cross_team_write_denied" | "read_only_role" | "scope_denied" | "policy_denied";

/** An expected failure, with a message written for the person who must fix it. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string>,
    readonly reason?: AppErrorReason,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/**
 * The one HTTP mapping of expected failures: status and SPEC §4 code, for the API's answers and
 * for the console's own routes (the audit export) alike.
 */
export const APP_ERROR_STATUS = {
  INVALID: [400, "invalid_request"],
  UNAUTHENTICATED: [401, "missing_credential"],
  FORBIDDEN: [403, "forbidden"],
  NOT_FOUND: [404, "not_found"],
  CONFLICT: [409, "conflict"],
  NAME_TAKEN: [409, "name_taken"],
  LIMIT_REACHED: [409, "conflict"],
  RATE_LIMITED: [429, "rate_limited"],
} as const satisfies Record<AppErrorCode, readonly [number, string]>;

/** An expected failure's HTTP status, and the SPEC §4 code it answers (its reason when it has one). */
export function httpErrorOf(error: AppError) {
  const [status, code] = APP_ERROR_STATUS[error.code];
  return { status, code: error.reason ?? code };
}

export type AppErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "NAME_TAKEN"
  | "LIMIT_REACHED"
  | "INVALID"
  | "RATE_LIMITED";

/** An expected failure, with a message written for the person who must fix it. */
export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

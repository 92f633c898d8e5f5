/**
 * True for a unique-constraint violation (Prisma's P2002). On PostgreSQL two requests can both
 * pass a "name is free" check and race to insert; the database's unique index decides, and the
 * loser is told it conflicts instead of seeing a server error.
 */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/**
 * True when the row an update or delete named was gone (Prisma's P2025): on PostgreSQL two
 * requests can both find a row and race to delete it; the loser is told it is not there (the
 * answer a request arriving a moment later gets) instead of seeing a server error.
 */
export function isRecordGone(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2025";
}

const UNREACHABLE_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);
const UNREACHABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);

/**
 * True when the database did not answer (down, restarting, unreachable, the pool exhausted):
 * the request is answered 503 with a retry hint, not 500 — nothing is wrong with it.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, meta, message } = error as { code?: unknown; meta?: unknown; message?: unknown };
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
  const kind = (meta as { driverAdapterError?: { cause?: { kind?: unknown } } } | undefined)
    ?.driverAdapterError?.cause?.kind;
  if (typeof kind === "string" && UNREACHABLE_KINDS.has(kind)) return true;
  return (
    typeof message === "string" &&
    /Connection terminated|ECONNREFUSED|ECONNRESET|Connection closed/i.test(message)
  );
}

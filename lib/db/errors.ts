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

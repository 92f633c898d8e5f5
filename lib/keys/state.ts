// What state a key is in, shared by the lists, the detail page and the key lifecycle (lib/keys/ holds
// everything about API keys; see lifecycle.ts).
import type { Prisma } from "@/lib/generated/prisma/client";

export const DAY_MS = 86_400_000;

/** Keys that still work at `now`: not revoked, not expired. */
export function liveKeyWhere(now: Date): Prisma.ApiKeyWhereInput {
  return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

/** A key as lists show it: never the hash. Its status comes from keyStatus(). */
export const KEY_ROW_SELECT = {
  id: true,
  name: true,
  last4: true,
  createdAt: true,
  createdByUserId: true,
  createdByServiceAccountId: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  leakedAt: true,
  permission: true,
  projects: true,
  allowedIps: true,
} as const satisfies Prisma.ApiKeySelect;

export type KeyStatus = "active" | "expired" | "revoked" | "leaked";

export function keyStatus(
  key: { revokedAt: Date | null; expiresAt: Date | null; leakedAt?: Date | null },
  now: number,
): KeyStatus {
  if (key.leakedAt) return "leaked";
  if (key.revokedAt) return "revoked";
  return key.expiresAt && key.expiresAt.getTime() <= now ? "expired" : "active";
}

// The list filters, one definition for the console's tab and the management API.
import type { Prisma } from "@/lib/generated/prisma/client";
import { DAY_MS } from "@/lib/keys/state";

export const UNUSED_DAYS = 90;

export type AccountFilters = {
  q?: string;
  scope?: "all" | "org" | "team";
  status?: "all" | "active" | "disabled";
  authMethod?: "all" | "api_key" | "federated";
  /** Created and not used for UNUSED_DAYS days. */
  unused?: boolean;
};

/** The where-clause of the filters (the caller adds org, team and visibility). */
export function accountFilterWhere(filters: AccountFilters, now: Date): Prisma.ServiceAccountWhereInput {
  const cutoff = new Date(now.getTime() - UNUSED_DAYS * DAY_MS);
  return {
    ...(filters.scope && filters.scope !== "all" ? { scope: filters.scope === "org" ? "ORG" : "TEAM" } : {}),
    ...(filters.q ? { name: { contains: filters.q.toLowerCase() } } : {}),
    ...(filters.status && filters.status !== "all"
      ? { status: filters.status === "active" ? "ACTIVE" : "DISABLED" }
      : {}),
    ...(filters.authMethod && filters.authMethod !== "all"
      ? { authMethod: filters.authMethod === "api_key" ? "API_KEY" : "FEDERATED" }
      : {}),
    ...(filters.unused
      ? { createdAt: { lte: cutoff }, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: cutoff } }] }
      : {}),
  };
}

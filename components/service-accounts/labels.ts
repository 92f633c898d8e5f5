/** The console's words for service-account fields (browser-safe). */
export { ROLE_LABEL, ROLE_OPTIONS } from "@/lib/roles";
export const AUTH_METHOD_LABEL = { API_KEY: "API key", FEDERATED: "Federated identity" } as const;
export const STATUS_LABEL = { ACTIVE: "Active", DISABLED: "Disabled" } as const;
export const SCOPE_LABEL = { ORG: "Organization", TEAM: "Team" } as const;

/** Days left for a key that expires within a week ("Expires in N days"), or null. */
export function expiresSoonDays(expiresAt: Date | string | null, now = Date.now()): number | null {
  if (!expiresAt) return null;
  const ms = new Date(expiresAt).getTime() - now;
  if (ms <= 0 || ms > 7 * 86_400_000) return null;
  return Math.max(1, Math.ceil(ms / 86_400_000));
}

/** The console's words for service-account fields (browser-safe). */
export { ROLE_LABEL, ROLE_OPTIONS } from "@/lib/roles";
export const AUTH_METHOD_LABEL = { API_KEY: "API key", FEDERATED: "Federated identity" } as const;
export const STATUS_LABEL = { ACTIVE: "Active", DISABLED: "Disabled" } as const;
export const SCOPE_LABEL = { ORG: "Organization", TEAM: "Team" } as const;

/** "3 days ago", "just now", or "Never" for a missing date. */
export function relativeTime(value: Date | string | null): string {
  if (!value) return "Never";
  const ms = Date.now() - new Date(value).getTime();
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "Just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/** "23 h", "6 days", "12 min": how long until a time in the future. */
export function timeUntil(value: Date | string, now = Date.now()): string {
  const minutes = Math.max(0, Math.ceil((new Date(value).getTime() - now) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  const days = Math.floor(hours / 24);
  return `${days} days`;
}

/** Days left for a key that expires within a week ("Expires in N days"), or null. */
export function expiresSoonDays(expiresAt: Date | string | null, now = Date.now()): number | null {
  if (!expiresAt) return null;
  const ms = new Date(expiresAt).getTime() - now;
  if (ms <= 0 || ms > 7 * 86_400_000) return null;
  return Math.max(1, Math.ceil(ms / 86_400_000));
}

export function formatDate(value: Date | string | null): string {
  return value ? new Date(value).toISOString().slice(0, 10) : "Never";
}

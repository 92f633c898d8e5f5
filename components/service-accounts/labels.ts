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

export function formatDate(value: Date | string | null): string {
  return value ? new Date(value).toISOString().slice(0, 10) : "Never";
}

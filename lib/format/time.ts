// How the console writes time (issue 21), in one place so every page says it the same way:
// a moment is "2026-12-01 18:33 UTC" (the seconds are in the element's title), and where recency
// matters more than the moment (last used) it is "3 days ago", the moment in the title.
// Browser-safe: no server imports.

type When = Date | string | number;

const iso = (value: When) => new Date(value).toISOString();

/** "2026-12-01 18:33 UTC". */
export function formatTimestamp(value: When): string {
  return `${iso(value).slice(0, 16).replace("T", " ")} UTC`;
}

/** "2026-12-01 18:33:58 UTC": the title of a shortened or relative time. */
export function formatTimestampWithSeconds(value: When): string {
  return `${iso(value).slice(0, 19).replace("T", " ")} UTC`;
}

/** "Just now", "12 min ago", "3 h ago", "3 days ago"; "Never" for no date. */
export function relativeTime(value: When | null, now: number = Date.now()): string {
  if (value === null) return "Never";
  const minutes = Math.round((now - new Date(value).getTime()) / 60_000);
  if (minutes < 1) return "Just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

/** "12 min", "23 h", "6 days": how long until a time in the future. */
export function timeUntil(value: When, now: number = Date.now()): string {
  const minutes = Math.max(0, Math.ceil((new Date(value).getTime() - now) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

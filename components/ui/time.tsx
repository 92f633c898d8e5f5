import { formatTimestamp, formatTimestampWithSeconds, relativeTime } from "@/lib/format/time";

/**
 * A moment as the console writes it (lib/format/time): "2026-12-01 18:33 UTC", or "3 days ago"
 * with `relative`; the exact moment is always in the title and the machine-readable `dateTime`.
 * `never` is said when there is no moment ("Never", "No expiry").
 */
export function Time({
  value,
  relative = false,
  never = "Never",
}: {
  value: Date | string | null | undefined;
  relative?: boolean;
  never?: string;
}) {
  if (value === null || value === undefined) return <>{never}</>;
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} title={formatTimestampWithSeconds(date)}>
      {relative ? relativeTime(date) : formatTimestamp(date)}
    </time>
  );
}

// Audit log → Export: the events as CSV or JSON Lines, streamed page by page so an export of a
// million events never holds them all in memory. The event source is passed in (the route passes
// allAuditEvents), so tests can make any page fail.
import { auditEventAnswer, type AuditRow } from "./query";
import { logError } from "@/lib/ops/log";

export type AuditExportFormat = "csv" | "jsonl";

const CSV_COLUMNS = [
  "time",
  "actorType",
  "actor",
  "action",
  "targetType",
  "target",
  "metadata",
  "ip",
  "userAgent",
];

// A cell a spreadsheet could run as a formula (OWASP "CSV injection"): its first visible character
// is =, + , - or @ (or their full-width forms), whatever whitespace, control or invisible format
// characters (zero-width space, BOM, bidi marks) come before it; or it starts with a tab or a CR.
const FORMULA_START = /^(?:[\t\r]|[\s\p{Cc}\p{Cf}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;

/** RFC 4180 quoting; a cell that could start a formula is prefixed with ' so it stays text. */
export function csvCell(value: string | null): string {
  let text = value ?? "";
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = `${CSV_COLUMNS.join(",")}\r\n`;

export function csvLine(e: AuditRow): string {
  return `${[
    e.createdAt.toISOString(),
    e.actorType.toLowerCase(),
    e.actorIdentity,
    e.action,
    e.targetType,
    e.targetName ?? e.targetId,
    JSON.stringify(e.metadata ?? {}),
    e.ip,
    e.userAgent,
  ]
    .map(csvCell)
    .join(",")}\r\n`;
}

function exportLine(format: AuditExportFormat, e: AuditRow): string {
  return format === "csv" ? csvLine(e) : `${JSON.stringify(auditEventAnswer(e))}\n`;
}

/** What the server log says about a failed export: where it stopped and why, never event content. */
function logExportFailure(label: string, written: number, error: unknown) {
  logError(`Audit export ${label} failed after ${written} events; the download was cut off`, error);
}

/**
 * The export's body. The first page is read before this resolves, so a refusal or a failure there
 * (not an org admin, a bad filter, the database down) rejects here and the route answers a status
 * before the first byte. A page that fails later errors the stream: the HTTP server then aborts
 * the chunked response without its terminating chunk, so the browser shows the download as
 * failed instead of saving a truncated file as complete. The failure is logged once, here.
 */
export async function auditExportStream(
  format: AuditExportFormat,
  events: AsyncIterable<AuditRow>,
  options: { label?: string; linesPerChunk?: number } = {},
): Promise<ReadableStream<Uint8Array>> {
  const label = options.label ?? "";
  const linesPerChunk = options.linesPerChunk ?? 1000;
  const iterator = events[Symbol.asyncIterator]();
  let pending: IteratorResult<AuditRow> | null = await iterator.next();
  let written = 0;
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (format === "csv") controller.enqueue(encoder.encode(CSV_HEADER));
      },
      async pull(controller) {
        const lines: string[] = [];
        try {
          while (lines.length < linesPerChunk) {
            const next: IteratorResult<AuditRow> = pending ?? (await iterator.next());
            pending = null;
            if (next.done) {
              if (lines.length) controller.enqueue(encoder.encode(lines.join("")));
              controller.close();
              return;
            }
            lines.push(exportLine(format, next.value));
          }
        } catch (error) {
          logExportFailure(label, written, error);
          // The cause stays in the log: whatever relays this error (Next logs it again) sees no detail.
          controller.error(new Error(`Audit export ${label} cut off after ${written} events.`));
          return;
        }
        written += lines.length;
        controller.enqueue(encoder.encode(lines.join("")));
      },
      async cancel() {
        // The browser went away: stop reading pages.
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

// What the CLI prints: aligned tables and key–value blocks for people, JSON for scripts. Cells and
// values are made safe (cli/safe-text.ts) before their widths are measured, so an escaped cell
// stays on its line and its column stays aligned; the writer itself escapes everything else.
import { safeText } from "./safe-text";

type Writer = { write(text: string): unknown };

/** Columns padded to their widest cell; an empty list says so in words. */
export function table(out: Writer, headers: string[], rows: string[][], empty: string): void {
  if (rows.length === 0) {
    out.write(`${empty}\n`);
    return;
  }
  const safe = rows.map((row) => row.map((cell) => safeText(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...safe.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  out.write(`${[line(headers), ...safe.map(line)].join("\n")}\n`);
}

/** "Label:  value" lines, labels aligned. */
export function record(out: Writer, pairs: [string, string][]): void {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 1;
  out.write(
    `${pairs.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${safeText(value)}`).join("\n")}\n`,
  );
}

/** JSON for scripts (the writer escapes the C1 and bidi characters JSON.stringify leaves raw). */
export function json(out: Writer, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A time as people read it in a terminal: 2026-11-25 14:03 UTC, or a dash. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "—";
}

// What the CLI prints: aligned tables and key–value blocks for people, JSON for scripts.

type Writer = { write(text: string): unknown };

/** Columns padded to their widest cell; an empty list says so in words. */
export function table(out: Writer, headers: string[], rows: string[][], empty: string): void {
  if (rows.length === 0) {
    out.write(`${empty}\n`);
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  out.write(`${[line(headers), ...rows.map(line)].join("\n")}\n`);
}

/** "Label:  value" lines, labels aligned. */
export function record(out: Writer, pairs: [string, string][]): void {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 1;
  out.write(`${pairs.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`).join("\n")}\n`);
}

export function json(out: Writer, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A time as people read it in a terminal: 2026-11-25 14:03 UTC, or a dash. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "—";
}

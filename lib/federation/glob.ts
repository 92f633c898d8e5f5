// Subject and claim patterns (rule 18): exact text, or `*` globs that match any run of
// characters (including none), anchored at both ends. Nothing else is special: `?`, `[`, `.`
// and `\` are literal. Browser-safe (the console previews matches).
//
// Matched without regular expressions, in time linear in the text for a given pattern: the
// pattern is cut at its stars into literal pieces; the first must start the text, the last must
// end it, and each piece between is taken at its leftmost place after the previous one. For
// star-only globs the leftmost place is always a right choice (any later match leaves less text
// for the pieces after it), so nothing is ever retried. A regex's `[\s\S]*` backtracks instead:
// `repo:*/*:*:ref:refs/heads/main` against `repo:` + `/:` × 2000 took seconds (issue 15).

/** Whether `text` matches `pattern`, where `*` matches any run of characters and nothing else is special. */
export function matchesGlob(pattern: string, text: string): boolean {
  const pieces = pattern.split("*");
  if (pieces.length === 1) return pattern === text;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < pieces.length - 1; i += 1) {
    const piece = pieces[i]!;
    if (piece === "") continue;
    const found = text.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** Whether a claim value matches a pattern. Only strings, numbers and booleans can match. */
export function globMatches(pattern: string, value: unknown): boolean {
  if (typeof value === "number" || typeof value === "boolean") value = String(value);
  if (typeof value !== "string") return false;
  return matchesGlob(pattern, value);
}

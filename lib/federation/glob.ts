// Subject and claim patterns (rule 18): exact text, or `*` globs that match any run of
// characters (including none), anchored at both ends. Nothing else is special: `?`, `[`, `.`
// and `\` are literal. Browser-safe (the console previews matches).

const cache = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regex = cache.get(pattern);
  if (!regex) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("[\\s\\S]*");
    regex = new RegExp(`^${body}$`);
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, regex);
  }
  return regex;
}

/** Whether a claim value matches a pattern. Only strings, numbers and booleans can match. */
export function globMatches(pattern: string, value: unknown): boolean {
  if (typeof value === "number" || typeof value === "boolean") value = String(value);
  if (typeof value !== "string") return false;
  return compile(pattern).test(value);
}

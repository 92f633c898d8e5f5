// SCIM list filters (RFC 7644 §3.4.2.2), parsed by scim2-parse-filter. Deputy answers the
// filters provisioning clients send — `attr eq "value"`, joined by `and` — on the attributes it
// can look up by index; anything else is a 400 invalidFilter that says what is supported.
import { parse, type Filter } from "scim2-parse-filter";
import { ScimError } from "./errors";

/** Longer filters are refused before parsing: the parser recurses once per nesting level. */
const MAX_FILTER_LENGTH = 1000;

export type Equalities = Map<string, string>;

/** The filter as attribute → value (attribute names lower-cased), or a ScimError. */
export function parseEqualityFilter(filter: string | null, supported: readonly string[]): Equalities {
  const out: Equalities = new Map();
  if (filter === null || filter.trim() === "") return out;
  const explain = `Supported: ${supported.map((a) => `${a} eq "…"`).join(", ")}, joined by "and".`;
  if (filter.length > MAX_FILTER_LENGTH) {
    throw new ScimError(400, `The filter is longer than ${MAX_FILTER_LENGTH} characters.`, "invalidFilter");
  }
  let ast: Filter;
  try {
    ast = parse(filter);
  } catch {
    throw new ScimError(400, `The filter could not be parsed. ${explain}`, "invalidFilter");
  }
  const wanted = new Map(supported.map((a) => [a.toLowerCase(), a]));
  const visit = (node: Filter): void => {
    if (node.op === "and" && "filters" in node) return node.filters.forEach(visit);
    if (node.op === "eq" && "attrPath" in node && "compValue" in node) {
      const attr = node.attrPath.replace(/^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i, "");
      const key = attr.toLowerCase();
      if (!wanted.has(key) || typeof node.compValue !== "string") {
        throw new ScimError(
          400,
          `Filtering on ${node.attrPath} is not supported. ${explain}`,
          "invalidFilter",
        );
      }
      const previous = out.get(key);
      // `a eq "x" and a eq "y"` matches nothing; keep the contradiction so the answer is empty.
      out.set(key, previous !== undefined && previous !== node.compValue ? "\u0000" : node.compValue);
      return;
    }
    throw new ScimError(400, `This filter operator is not supported. ${explain}`, "invalidFilter");
  };
  visit(ast);
  return out;
}

/** startIndex (1-based) and count from the query, clamped as RFC 7644 §3.4.2.4 says. */
export function pageOf(query: URLSearchParams, max: number): { startIndex: number; count: number } {
  const number = (name: string, fallback: number) => {
    const raw = query.get(name);
    if (raw === null || raw === "") return fallback;
    if (!/^-?\d{1,9}$/.test(raw)) {
      throw new ScimError(400, `${name} must be a whole number.`, "invalidValue");
    }
    return Number(raw);
  };
  return {
    startIndex: Math.max(1, number("startIndex", 1)),
    count: Math.min(max, Math.max(0, number("count", max))),
  };
}

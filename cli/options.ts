// Options and argument parsers shared by the command modules. A parser that throws
// InvalidArgumentError makes commander answer a usage error (exit 2) naming the option.
import { InvalidArgumentError, Option } from "commander";

/** --json on every command: the API's objects, for scripts. */
export const jsonOption = () => new Option("--json", "print the API's JSON objects, for scripts");

/** --expires-in: days like 90d, or "never" (null). */
export function parseDays(value: string): number | null {
  if (value === "never") return null;
  const match = /^(\d{1,4})d?$/.exec(value);
  if (!match) throw new InvalidArgumentError('Use a number of days like 90d, or "never".');
  return Number(match[1]);
}

/** A repeatable key=value option, collected into one object. */
export function parsePairs(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const at = value.indexOf("=");
  if (at < 1) throw new InvalidArgumentError("Use key=value, like lr=0.01.");
  const raw = value.slice(at + 1);
  let parsed: unknown = raw;
  try {
    // Numbers, booleans and JSON stay typed: lr=0.01 is a number, tags=["a"] a list.
    parsed = JSON.parse(raw);
  } catch {
    parsed = raw;
  }
  return { ...previous, [value.slice(0, at)]: parsed };
}

/** commander's collector form of parsePairs. */
export const collectPairs = (value: string, previous: unknown) =>
  parsePairs(value, previous as Record<string, unknown> | undefined);

/** --grace: hours (24h), days (7d) or 0, at most 168 hours. */
export function parseGrace(value: string): number {
  const match = /^(\d{1,3})(h|d)?$/.exec(value.trim().toLowerCase());
  const hours = value === "immediately" ? 0 : match ? Number(match[1]) * (match[2] === "d" ? 24 : 1) : NaN;
  if (!Number.isInteger(hours) || hours < 0 || hours > 168) {
    throw new InvalidArgumentError("Use 0, hours like 24h or days like 7d, at most 7 days.");
  }
  return hours;
}

/** --since: a period back from now (30m, 24h, 7d) as the time it starts. */
export function parseSince(value: string): Date {
  const match = /^(\d{1,5})(m|h|d)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError("Use minutes, hours or days, like 30m, 24h or 7d.");
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
  return new Date(Date.now() - Number(match[1]) * unit);
}

/** A whole number from 1 to `max`. */
export const parseCount =
  (max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`Use a whole number from 1 to ${max}.`);
    return n;
  };

/** `<team>/<project>`, as in paths and the console's URLs. */
export type ProjectRef = { team: string; project: string };

/** Parses `<team>/<project>`: one slash, something on each side. */
export function parseProjectRef(value: string): ProjectRef {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError("Use <team>/<project>, like ml-team/production-models.");
  return { team: match[1]!, project: match[2]! };
}

/** --json on a command whose API answer has no content: stdout stays empty, for scripts. */
export const jsonNoContentOption = () =>
  new Option("--json", "for scripts: print nothing on success (the API answers no content)");

/** The roles of a team member or a service account. */
export const ROLES = ["admin", "member", "viewer"] as const;
/** Who may read a project (SPEC rules 3–6). */
export const VISIBILITIES = ["open", "public", "team", "restricted"] as const;

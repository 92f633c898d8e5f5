// Right-sizing (SPEC rule 27): from what a key did in the last 30 days, the narrowest restrictions
// that would still have allowed every one of its requests, and a sentence of what it did. Pure
// code: the Restrict dialog, the API and the Attention list all ask the same functions.
import { cidrWithin, normaliseCidr } from "@/lib/security/cidr";
import {
  MAX_ALLOWED_IPS,
  MAX_PROJECTS,
  effectivePermission,
  permissionOfRole,
  permits,
  type AccountRole,
  type Permission,
  type Restrictions,
} from "./restrictions";

export const RIGHT_SIZING_DAYS = 30;

/**
 * More distinct ranges than this in a proposal are collapsed into their /24 (IPv4) and /64 (IPv6)
 * networks: a list of a dozen single hosts is brittle (the next runner gets a new address).
 */
export const HOSTS_BEFORE_COLLAPSE = 8;

/** What a key did over the window: days with requests, and per project the days it was used. */
export type KeyUseSummary = {
  requests: number;
  days: number;
  /** "<team>/<project>" → days with a read of its runs. */
  reads: Record<string, number>;
  /** "<team>/<project>" → days with a run written. */
  writes: Record<string, number>;
  /** Days with a management API call. */
  adminDays: number;
  /** Client addresses as ranges: hosts ("10.0.0.4/32") and, past the record's bound, networks. */
  addresses: string[];
};

export type UseFactRow = { day: string; kind: string; value: string };

/** The first day of the window ending today (UTC), as usage rows name days. */
export function windowStart(now: Date, days = RIGHT_SIZING_DAYS): string {
  return new Date(now.getTime() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

export function summariseUse(
  usageDays: { day: string; requests: number }[],
  facts: UseFactRow[],
): KeyUseSummary {
  const summary: KeyUseSummary = { requests: 0, days: 0, reads: {}, writes: {}, adminDays: 0, addresses: [] };
  for (const row of usageDays) {
    if (row.requests <= 0) continue;
    summary.requests += row.requests;
    summary.days += 1;
  }
  const addresses = new Set<string>();
  for (const fact of facts) {
    if (fact.kind === "read") summary.reads[fact.value] = (summary.reads[fact.value] ?? 0) + 1;
    else if (fact.kind === "write") summary.writes[fact.value] = (summary.writes[fact.value] ?? 0) + 1;
    else if (fact.kind === "admin") summary.adminDays += 1;
    else if (fact.kind === "address") addresses.add(fact.value);
  }
  summary.addresses = [...addresses].sort();
  return summary;
}

function isHost(range: string): boolean {
  return range.endsWith("/32") || range.endsWith("/128");
}

function networkOf(range: string): string {
  const address = range.split("/")[0]!;
  return normaliseCidr(`${address}/${address.includes(":") ? 64 : 24}`) ?? range;
}

/**
 * The fewest ranges that hold every address seen: the ranges themselves while there are few,
 * their networks past HOSTS_BEFORE_COLLAPSE; null when even those are more than a key may list.
 */
export function collapseAddresses(ranges: string[]): string[] | null {
  const networks = new Set(ranges.filter((r) => !isHost(r)));
  // A host inside a recorded network adds nothing.
  let kept = ranges.filter((r) => !isHost(r) || ![...networks].some((n) => cidrWithin(r, n)));
  kept = [...new Set(kept)];
  if (kept.length > HOSTS_BEFORE_COLLAPSE)
    kept = [...new Set(kept.map((r) => (isHost(r) ? networkOf(r) : r)))];
  if (kept.length === 0 || kept.length > MAX_ALLOWED_IPS) return null;
  return kept.sort();
}

const RANK: Record<Permission, number> = { read: 0, write: 1, admin: 2 };

/**
 * The narrowest restrictions that would have allowed every request in the summary, never wider
 * than the key's current ones (uses from before a restriction was added do not widen it back).
 * `exists` says whether a project path still names a project (a deleted one is not proposed).
 */
export function proposeRestrictions(
  use: KeyUseSummary,
  current: Restrictions,
  role: AccountRole,
  exists: (path: string) => boolean = () => true,
): Restrictions {
  if (use.requests === 0) return current;
  const now = effectivePermission(role, current.permission);
  const used: Permission =
    use.adminDays > 0 ? "admin" : Object.keys(use.writes).length > 0 ? "write" : "read";
  const level = RANK[used] < RANK[now] ? used : now;
  const permission = level === permissionOfRole(role) ? null : level;

  let projects = current.projects;
  if (use.adminDays === 0) {
    const paths = [...new Set([...Object.keys(use.reads), ...Object.keys(use.writes)])]
      .filter(exists)
      .filter((path) => !current.projects || current.projects.includes(path))
      .sort();
    if (paths.length > 0 && paths.length <= MAX_PROJECTS) projects = paths;
  }

  let allowedIps = current.allowedIps;
  const inside = use.addresses.filter(
    (range) => !current.allowedIps || current.allowedIps.some((outer) => cidrWithin(range, outer)),
  );
  const collapsed = collapseAddresses(inside);
  if (
    collapsed &&
    (!current.allowedIps || collapsed.every((r) => current.allowedIps!.some((outer) => cidrWithin(r, outer))))
  ) {
    allowedIps = collapsed;
  }
  return { permission, projects, allowedIps };
}

export type NarrowedField = "permission" | "projects" | "allowedIps";

/** Which fields of `proposal` narrow `current` (empty: the key is already as narrow as its use). */
export function narrowedFields(
  proposal: Restrictions,
  current: Restrictions,
  role: AccountRole,
): NarrowedField[] {
  const fields: NarrowedField[] = [];
  const before = effectivePermission(role, current.permission);
  const after = effectivePermission(role, proposal.permission);
  if (permits(before, after) && before !== after) fields.push("permission");
  if (proposal.projects && (!current.projects || proposal.projects.length < current.projects.length))
    fields.push("projects");
  if (
    proposal.allowedIps &&
    (!current.allowedIps || [...proposal.allowedIps].sort().join() !== [...current.allowedIps].sort().join())
  )
    fields.push("allowedIps");
  return fields;
}

function days(n: number): string {
  return n === 1 ? "1 day" : `${n} days`;
}

function listed(items: string[], max = 3): string {
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  const all = rest > 0 ? [...shown, `${rest} more`] : shown;
  return all.length <= 1 ? (all[0] ?? "") : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`;
}

function byDays(paths: Record<string, number>): string[] {
  return Object.entries(paths)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([path, n]) => `${path} on ${days(n)}`);
}

/** What the key did, in one sentence ("Wrote runs to ml-team/production-models on 12 days; …"). */
export function describeUse(use: KeyUseSummary): string {
  if (use.requests === 0) {
    return `This key made no requests in the last ${RIGHT_SIZING_DAYS} days: if nothing uses it, revoke it.`;
  }
  const parts: string[] = [];
  const writes = byDays(use.writes);
  const reads = byDays(
    Object.fromEntries(Object.entries(use.reads).filter(([path]) => !(path in use.writes))),
  );
  if (writes.length > 0) parts.push(`wrote runs to ${listed(writes)}`);
  if (reads.length > 0) parts.push(`${writes.length > 0 ? "also read" : "read"} runs of ${listed(reads)}`);
  else if (writes.length > 0) parts.push("read nothing else");
  if (use.adminDays > 0) parts.push(`used the management API on ${days(use.adminDays)}`);
  else if (writes.length === 0 && reads.length === 0) parts.push("read and wrote no project");
  const shownAddresses = collapseAddresses(use.addresses) ?? use.addresses;
  if (shownAddresses.length > 0) {
    const words = shownAddresses.map((r) => (isHost(r) ? r.split("/")[0]! : r));
    parts.push(`from ${words.length > 4 ? `${words.length} address ranges` : listed(words, 4)}`);
  }
  const first = parts[0]!;
  const sentence = [first.charAt(0).toUpperCase() + first.slice(1), ...parts.slice(1)].join("; ");
  const requests = use.requests === 1 ? "1 request" : `${use.requests.toLocaleString("en-US")} requests`;
  return `${sentence} (${requests} on ${days(use.days)} of the last ${RIGHT_SIZING_DAYS}).`;
}

/**
 * Records when keys are used without a database write per request: the latest time per key, its
 * client address, its requests per UTC day and what it did (rule 27) are kept in memory and
 * written in one batch per interval (and on shutdown), so each key's lastUsedAt is written at most
 * once per interval and is never staler than one interval, and the per-day counts add up to the
 * requests made.
 */
import { normaliseCidr } from "@/lib/security/cidr";

/** What a key did, for right-sizing (rule 27): a project read or written, or a management call. */
export type KeyUseKind = "read" | "write" | "admin";

/**
 * Exact client addresses kept per key per day in one batch; past it, an address is kept as its
 * /24 (IPv4) or /64 (IPv6) network, so a key used from many addresses costs a bounded number of
 * rows (at most this many hosts plus their networks per batch).
 */
export const EXACT_ADDRESSES_PER_DAY = 16;

/** One fact of a day: "<day> <kind> <value>" (no part holds a space). */
export type UseFact = { day: string; kind: KeyUseKind | "address"; value: string };

export type KeyUse = {
  /** The key's account, for the per-account usage chart. */
  accountId: string;
  /** The client address of the latest use. */
  ip: string | null;
  /** Requests per UTC day ("2026-11-25") since the last flush. */
  perDay: Record<string, number>;
  /** Rule 27's facts since the last flush, as "<day> <kind> <value>". */
  facts: Set<string>;
  /** Exact addresses among the facts, per day (see EXACT_ADDRESSES_PER_DAY). */
  exactAddresses: Record<string, number>;
  /** The day and address noted last: a key's next request from there has nothing new to note. */
  notedDay?: string;
  notedAddress?: string;
};

/** The facts of a batched use, parsed. */
export function factsOf(use: KeyUse): UseFact[] {
  return [...use.facts].map((fact) => {
    const [day, kind, value = ""] = fact.split(" ");
    return { day: day!, kind: kind as UseFact["kind"], value };
  });
}

// The hot path records every request: the UTC day and an address's normal form are worked out
// once, not per request (a Date's toISOString and a CIDR parse cost more than the rest of it).
let currentDay = { start: 0, end: 0, label: "" };
/** The UTC day of `at` ("2026-11-25"). */
export function utcDayOf(at: Date): string {
  const ms = at.getTime();
  if (ms < currentDay.start || ms >= currentDay.end) {
    const start = ms - (((ms % 86_400_000) + 86_400_000) % 86_400_000);
    currentDay = { start, end: start + 86_400_000, label: new Date(start).toISOString().slice(0, 10) };
  }
  return currentDay.label;
}

const NORMALISED_LIMIT = 4096;
const normalisedHosts = new Map<string, string | null>();
function normalisedHost(address: string): string | null {
  let host = normalisedHosts.get(address);
  if (host === undefined) {
    // Bounded: a flood of distinct addresses starts the memo over rather than growing it.
    if (normalisedHosts.size >= NORMALISED_LIMIT) normalisedHosts.clear();
    host = normaliseCidr(address);
    normalisedHosts.set(address, host);
  }
  return host;
}

function networkOf(address: string): string | null {
  return normaliseCidr(`${address}/${address.includes(":") ? 64 : 24}`);
}

export type LastUsedEntry = [apiKeyId: string, at: Date, use?: KeyUse];

/** An account used through an access token (federated accounts have no key to record). */
export type AccountUseEntry = [serviceAccountId: string, at: Date];

export class LastUsedRecorder {
  private pending = new Map<string, { at: Date; use?: KeyUse }>();
  private pendingAccounts = new Map<string, Date>();

  /** Records a use of an account's access token: the account's lastUsedAt, batched like keys'. */
  recordAccount(serviceAccountId: string, at: Date): void {
    const known = this.pendingAccounts.get(serviceAccountId);
    if (!known || known < at) this.pendingAccounts.set(serviceAccountId, at);
  }

  record(apiKeyId: string, at: Date, source?: { accountId: string; ip: string | null }): void {
    const entry = this.pending.get(apiKeyId);
    let use = entry?.use;
    if (source) {
      use ??= {
        accountId: source.accountId,
        ip: source.ip,
        perDay: {},
        facts: new Set(),
        exactAddresses: {},
      };
      use.ip = source.ip;
      const day = utcDayOf(at);
      use.perDay[day] = (use.perDay[day] ?? 0) + 1;
      if (source.ip) this.noteAddress(use, day, source.ip);
    }
    // In place when the key is already in this batch (flush swaps the map, so no batch being
    // written is touched): the hot path allocates nothing for a key it has seen.
    if (entry) {
      if (entry.at < at) entry.at = at;
      entry.use = use;
    } else {
      this.pending.set(apiKeyId, { at, use });
    }
  }

  /**
   * Records what an allowed request of the key did (rule 27): called by the domain once the
   * request passed its checks, after `record` counted it.
   */
  note(apiKeyId: string, accountId: string, at: Date, kind: KeyUseKind, project?: string): void {
    let entry = this.pending.get(apiKeyId);
    if (!entry?.use) {
      // Flushed between the request's start and now: start the key's next batch.
      entry = {
        at: entry?.at ?? at,
        use: { accountId, ip: null, perDay: {}, facts: new Set(), exactAddresses: {} },
      };
      this.pending.set(apiKeyId, entry);
    }
    entry.use!.facts.add(`${utcDayOf(at)} ${kind} ${kind === "admin" ? "" : (project ?? "")}`);
  }

  private noteAddress(use: KeyUse, day: string, address: string): void {
    if (use.notedAddress === address && use.notedDay === day) return;
    use.notedDay = day;
    use.notedAddress = address;
    const host = normalisedHost(address);
    if (!host) return;
    const fact = `${day} address ${host}`;
    if (use.facts.has(fact)) return;
    const exact = use.exactAddresses[day] ?? 0;
    if (exact < EXACT_ADDRESSES_PER_DAY) {
      use.exactAddresses[day] = exact + 1;
      use.facts.add(fact);
      return;
    }
    const network = networkOf(address);
    if (network) use.facts.add(`${day} address ${network}`);
  }

  get size(): number {
    return this.pending.size + this.pendingAccounts.size;
  }

  /** Hands the pending uses to `write` and starts a new batch; a failed write keeps them. */
  async flush(
    write: (entries: LastUsedEntry[], accounts: AccountUseEntry[]) => Promise<void>,
  ): Promise<number> {
    if (this.pending.size === 0 && this.pendingAccounts.size === 0) return 0;
    const batch = this.pending;
    const accounts = this.pendingAccounts;
    this.pending = new Map();
    this.pendingAccounts = new Map();
    try {
      await write(
        [...batch.entries()].map(([id, { at, use }]) => (use ? [id, at, use] : [id, at])),
        [...accounts.entries()],
      );
      return batch.size + accounts.size;
    } catch (error) {
      for (const [id, at] of accounts) this.recordAccount(id, at);
      // Put the batch back, adding the counts of uses recorded meanwhile.
      for (const [id, old] of batch) {
        const newer = this.pending.get(id);
        if (!newer) {
          this.pending.set(id, old);
          continue;
        }
        if (old.use && newer.use) {
          for (const [day, n] of Object.entries(old.use.perDay))
            newer.use.perDay[day] = (newer.use.perDay[day] ?? 0) + n;
          for (const fact of old.use.facts) newer.use.facts.add(fact);
        } else if (old.use) {
          newer.use = old.use;
        }
      }
      throw error;
    }
  }
}

export const LAST_USED_FLUSH_INTERVAL_MS = 60_000;

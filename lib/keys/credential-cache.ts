import { credentialLookup } from "@/lib/db/credential-lookup";
import { logError } from "@/lib/ops/log";

/**
 * What a lookup takes before it reads the database and hands to `set` with its answer: the
 * cache's generation (moved on by every clear) and the database's change counter at that moment.
 */
export type LookupTicket = { generation: number; version: number | undefined };

/**
 * A short-lived, bounded cache of key records by key id, so a busy job's requests skip the
 * database. It never holds a secret: entries keep the stored hash and the presented secret is
 * hashed and compared on every request. Revoking, disabling or deleting in this process clears
 * it at once; TTL_MS bounds staleness for changes made by another process.
 *
 * With a `dataVersion` source (SQLite's `PRAGMA data_version`, which moves whenever another
 * connection commits), an entry past its TTL is renewed instead of read again when nothing at
 * all was committed since it was read: the record cannot have changed. Any commit (a revocation
 * by another process, but also a usage batch or an audit event) sends every entry back to the
 * database at its TTL, so the bound on staleness is the same.
 */
export class CredentialCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number; version: number | undefined }>();
  private clears = 0;

  /**
   * Moves on at every clear. A lookup takes it before reading the database and passes it to
   * `set`: a read that started before a revocation committed, and answered after the cache was
   * cleared, must not put the old record back for another TTL (issue 15: a deleted account's
   * key kept working until the next clear).
   */
  get generation(): number {
    return this.clears;
  }

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly dataVersion: () => number | undefined = () => undefined,
  ) {}

  /** Taken before a lookup reads the database (see `LookupTicket`). */
  ticket(): LookupTicket {
    return { generation: this.clears, version: this.dataVersion() };
  }

  get(keyId: string): { value: V } | undefined {
    const entry = this.entries.get(keyId);
    if (!entry) return undefined;
    const now = this.now();
    if (entry.expiresAt <= now) {
      if (entry.version === undefined || entry.version !== this.dataVersion()) {
        this.entries.delete(keyId);
        return undefined;
      }
      entry.expiresAt = now + this.ttlMs;
    }
    return entry;
  }

  /** Stores a lookup's answer, unless the cache was cleared since its ticket was taken. */
  set(keyId: string, value: V, ticket: LookupTicket = { generation: this.clears, version: undefined }): void {
    if (ticket.generation !== this.clears) return;
    if (!this.entries.has(keyId) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(keyId, { value, expiresAt: this.now() + this.ttlMs, version: ticket.version });
  }

  clear(): void {
    this.clears += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Longest a change made by another process can go unseen: a revoked key is refused within this. */
export const CREDENTIAL_CACHE_TTL_MS = 1_000;
export const CREDENTIAL_CACHE_MAX_ENTRIES = 10_000;

const globalForCache = globalThis as unknown as {
  deputyCredentialCache?: CredentialCache<unknown>;
  deputyCredentialChannel?: BroadcastChannel;
};

/**
 * The console runs in a thread of its own (scripts/console-thread.mjs): a change made there
 * clears this thread's cache through a channel every thread of the process shares.
 */
function threadsChannel(): BroadcastChannel {
  if (!globalForCache.deputyCredentialChannel) {
    const channel = new BroadcastChannel("deputy-credentials");
    channel.onmessage = () => clearCredentialCache();
    // Node's channel would otherwise keep an idle process alive.
    (channel as unknown as { unref?: () => void }).unref?.();
    globalForCache.deputyCredentialChannel = channel;
  }
  return globalForCache.deputyCredentialChannel;
}

/**
 * The process-wide cache. Kept on globalThis because the console (bundled by Next) and the API
 * server (loaded by Node) hold separate copies of this module in one process.
 */
export function credentialCache<V>(): CredentialCache<V> {
  globalForCache.deputyCredentialCache ??= new CredentialCache(
    CREDENTIAL_CACHE_MAX_ENTRIES,
    CREDENTIAL_CACHE_TTL_MS,
    () => Date.now(), // looked up at each call, so a test's fake clock applies
    () => credentialLookup().dataVersion(),
  );
  threadsChannel();
  return globalForCache.deputyCredentialCache as CredentialCache<V>;
}

/** Forgets every cached key in this process only (another instance announced a change). */
export function clearCredentialCache(): void {
  globalForCache.deputyCredentialCache?.clear();
}

/**
 * Forget every cached key — here at once, in this process's other threads, and on every other
 * instance sharing the database (on PostgreSQL, through LISTEN/NOTIFY): call after revoking a key or disabling/deleting an account,
 * once the change is committed.
 */
export function invalidateCredentialCache(): void {
  clearCredentialCache();
  threadsChannel().postMessage("changed");
  credentialLookup()
    .announceChange()
    .catch((error: unknown) => {
      // The other instances' 1-second TTL still applies.
      logError("Could not announce a credential change", error);
    });
}

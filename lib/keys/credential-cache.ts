import { credentialLookup } from "@/lib/db/credential-lookup";
import { logError } from "@/lib/ops/log";

/**
 * A short-lived, bounded cache of key records by key id, so a busy job's requests skip the
 * database. It never holds a secret: entries keep the stored hash and the presented secret is
 * hashed and compared on every request. Revoking, disabling or deleting in this process clears
 * it at once; TTL_MS bounds staleness for changes made by another process.
 */
export class CredentialCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
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
  ) {}

  get(keyId: string): { value: V } | undefined {
    const entry = this.entries.get(keyId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(keyId);
      return undefined;
    }
    return { value: entry.value };
  }

  set(keyId: string, value: V, generation = this.clears): void {
    if (generation !== this.clears) return;
    if (!this.entries.has(keyId) && this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(keyId, { value, expiresAt: this.now() + this.ttlMs });
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

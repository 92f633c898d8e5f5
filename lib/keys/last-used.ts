/**
 * Records when keys are used without a database write per request: the latest time per key, its
 * client address and its requests per UTC day are kept in memory and written in one batch per
 * interval (and on shutdown), so each key's lastUsedAt is written at most once per interval and
 * is never staler than one interval, and the per-day counts add up to the requests made.
 */
export type KeyUse = {
  /** The key's account, for the per-account usage chart. */
  accountId: string;
  /** The client address of the latest use. */
  ip: string | null;
  /** Requests per UTC day ("2026-11-25") since the last flush. */
  perDay: Record<string, number>;
};

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
      use ??= { accountId: source.accountId, ip: source.ip, perDay: {} };
      use.ip = source.ip;
      const day = at.toISOString().slice(0, 10);
      use.perDay[day] = (use.perDay[day] ?? 0) + 1;
    }
    this.pending.set(apiKeyId, { at: entry && entry.at > at ? entry.at : at, use });
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
        } else if (old.use) {
          newer.use = old.use;
        }
      }
      throw error;
    }
  }
}

export const LAST_USED_FLUSH_INTERVAL_MS = 60_000;

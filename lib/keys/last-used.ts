/**
 * Records when keys are used without a database write per request: the latest time per key is
 * kept in memory and written in one batch per interval (and on shutdown), so each key's
 * lastUsedAt is written at most once per interval and is never staler than one interval.
 */
export class LastUsedRecorder {
  private pending = new Map<string, Date>();

  record(apiKeyId: string, at: Date): void {
    this.pending.set(apiKeyId, at);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Hands the pending times to `write` and starts a new batch; a failed write keeps them. */
  async flush(write: (entries: [apiKeyId: string, at: Date][]) => Promise<void>): Promise<number> {
    if (this.pending.size === 0) return 0;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await write([...batch.entries()]);
      return batch.size;
    } catch (error) {
      for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
      throw error;
    }
  }
}

export const LAST_USED_FLUSH_INTERVAL_MS = 60_000;

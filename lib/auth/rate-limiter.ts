/**
 * Counts failures per key in a fixed window, in memory. Bounded: when full, the oldest entries
 * go first, so a flood of distinct keys cannot grow memory without limit.
 */
export class FailureRateLimiter {
  private readonly entries = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may try again, or 0 when it is not blocked. */
  retryAfterMs(key: string): number {
    const entry = this.current(key);
    if (!entry || entry.count < this.limit) return 0;
    return entry.windowStart + this.windowMs - this.now();
  }

  /** The failures of `key` in its current window. */
  countOf(key: string): number {
    return this.current(key)?.count ?? 0;
  }

  /** Records a failure; returns the failure count in the current window. */
  recordFailure(key: string): number {
    const entry = this.current(key);
    if (entry) {
      entry.count += 1;
      return entry.count;
    }
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { count: 1, windowStart: this.now() });
    return 1;
  }

  /** Takes back one counted failure (an attempt counted up front that turned out to succeed). */
  forgive(key: string): void {
    const entry = this.current(key);
    if (entry && entry.count > 0) entry.count -= 1;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private current(key: string) {
    const entry = this.entries.get(key);
    if (entry && this.now() - entry.windowStart >= this.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

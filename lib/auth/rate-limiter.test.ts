import { describe, expect, it } from "vitest";
import { FailureRateLimiter } from "./rate-limiter";

describe("FailureRateLimiter", () => {
  it("blocks a key at the limit until its window passes", () => {
    let now = 1_000;
    const limiter = new FailureRateLimiter(3, 60_000, 100, () => now);
    limiter.recordFailure("a");
    limiter.recordFailure("a");
    expect(limiter.retryAfterMs("a")).toBe(0);
    expect(limiter.recordFailure("a")).toBe(3);
    expect(limiter.retryAfterMs("a")).toBe(60_000);
    expect(limiter.retryAfterMs("b")).toBe(0);
    now += 59_999;
    expect(limiter.retryAfterMs("a")).toBe(1);
    now += 1;
    expect(limiter.retryAfterMs("a")).toBe(0);
    expect(limiter.recordFailure("a")).toBe(1);
  });

  it("forgets a key on reset", () => {
    const limiter = new FailureRateLimiter(1, 60_000);
    limiter.recordFailure("a");
    expect(limiter.retryAfterMs("a")).toBeGreaterThan(0);
    limiter.reset("a");
    expect(limiter.retryAfterMs("a")).toBe(0);
  });

  it("stays bounded under a flood of distinct keys", () => {
    const limiter = new FailureRateLimiter(5, 60_000, 1_000);
    for (let i = 0; i < 10_000; i++) limiter.recordFailure(`key-${i}`);
    expect(limiter.size).toBe(1_000);
  });
});

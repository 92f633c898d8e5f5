import { describe, expect, it } from "vitest";
import { CredentialCache } from "./credential-cache";

/** A cache on a test's own clock and database change counter. */
function versionedCache(clock: { now: number; version: number }) {
  return new CredentialCache<string>(
    10,
    1_000,
    () => clock.now,
    () => clock.version,
  );
}

describe("CredentialCache", () => {
  it("expires entries after the TTL", () => {
    let now = 0;
    const cache = new CredentialCache<string>(10, 1_000, () => now);
    cache.set("a", "x");
    expect(cache.get("a")?.value).toBe("x");
    now = 999;
    expect(cache.get("a")?.value).toBe("x");
    now = 1_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("caches negative answers too, and stays bounded under a flood of distinct ids", () => {
    const cache = new CredentialCache<string | null>(100, 60_000);
    for (let i = 0; i < 10_000; i++) cache.set(`id-${i}`, null);
    expect(cache.size).toBe(100);
    expect(cache.get("id-9999")?.value).toBeNull();
    expect(cache.get("id-0")).toBeUndefined();
  });

  it("forgets everything on clear", () => {
    const cache = new CredentialCache<string>(10, 60_000);
    cache.set("a", "x");
    cache.clear();
    expect(cache.get("a")).toBeUndefined();
  });

  it("drops what a lookup read before a clear, so a revocation is never undone by a slow read", () => {
    const cache = new CredentialCache<string>(10, 60_000);
    const ticket = cache.ticket(); // a lookup starts, reading the live record…
    cache.clear(); // …the revocation commits and clears the cache…
    cache.set("a", "live record", ticket); // …and the read answers afterwards.
    expect(cache.get("a")).toBeUndefined();
    cache.set("a", "fresh record", cache.ticket());
    expect(cache.get("a")?.value).toBe("fresh record");
  });

  it("renews an entry past its TTL only while the database's change counter has not moved", () => {
    const clock = { now: 0, version: 7 };
    const cache = versionedCache(clock);
    cache.set("a", "x", cache.ticket());
    clock.now = 5_000; // long past the TTL, and nothing was committed: still the same record
    expect(cache.get("a")).toEqual(expect.objectContaining({ value: "x" }));
    clock.version = 8; // another connection committed (a revocation, a usage batch, anything)…
    clock.now = 5_999; // …within the renewed TTL the entry still answers…
    expect(cache.get("a")).toEqual(expect.objectContaining({ value: "x" }));
    clock.now = 6_000; // …and at its end it goes back to the database.
    expect(cache.get("a")).toBeUndefined();
  });

  it("never renews an entry read before a commit it did not see", () => {
    const clock = { now: 0, version: 1 };
    const cache = versionedCache(clock);
    const ticket = cache.ticket(); // the lookup takes the counter first…
    clock.version = 2; // …another process commits meanwhile…
    cache.set("a", "maybe stale", ticket); // …and the read answers.
    clock.now = 1_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("without a change counter (PostgreSQL), expires at the TTL as before", () => {
    let now = 0;
    const cache = new CredentialCache<string>(10, 1_000, () => now);
    cache.set("a", "x", cache.ticket());
    now = 1_000;
    expect(cache.get("a")).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { CredentialCache } from "./credential-cache";

describe("CredentialCache", () => {
  it("expires entries after the TTL", () => {
    let now = 0;
    const cache = new CredentialCache<string>(10, 1_000, () => now);
    cache.set("a", "x");
    expect(cache.get("a")).toEqual({ value: "x" });
    now = 999;
    expect(cache.get("a")).toEqual({ value: "x" });
    now = 1_000;
    expect(cache.get("a")).toBeUndefined();
  });

  it("caches negative answers too, and stays bounded under a flood of distinct ids", () => {
    const cache = new CredentialCache<string | null>(100, 60_000);
    for (let i = 0; i < 10_000; i++) cache.set(`id-${i}`, null);
    expect(cache.size).toBe(100);
    expect(cache.get("id-9999")).toEqual({ value: null });
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
    const generation = cache.generation; // a lookup starts, reading the live record…
    cache.clear(); // …the revocation commits and clears the cache…
    cache.set("a", "live record", generation); // …and the read answers afterwards.
    expect(cache.get("a")).toBeUndefined();
    cache.set("a", "fresh record", cache.generation);
    expect(cache.get("a")).toEqual({ value: "fresh record" });
  });
});

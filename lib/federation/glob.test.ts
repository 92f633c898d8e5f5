import { describe, expect, it } from "vitest";
import { globMatches } from "./glob";

describe("rule 18 patterns", () => {
  it("matches exactly without a star", () => {
    expect(globMatches("repo:acme/models:ref:refs/heads/main", "repo:acme/models:ref:refs/heads/main")).toBe(
      true,
    );
    expect(globMatches("repo:acme/models:ref:refs/heads/main", "repo:acme/models:ref:refs/heads/main2")).toBe(
      false,
    );
    expect(globMatches("repo:acme/models", "xrepo:acme/models")).toBe(false);
  });

  it("lets * match any run of characters, anchored at both ends", () => {
    expect(globMatches("repo:acme/*:ref:refs/heads/main", "repo:acme/models:ref:refs/heads/main")).toBe(true);
    expect(globMatches("repo:acme/*:ref:refs/heads/main", "repo:acme/a/b:ref:refs/heads/main")).toBe(true);
    expect(globMatches("repo:acme/*", "repo:acme/")).toBe(true);
    expect(globMatches("repo:acme/*", "repo:evil/acme/x")).toBe(false);
    expect(globMatches("*:ref:refs/heads/main", "repo:x:ref:refs/heads/main-evil")).toBe(false);
    expect(globMatches("*", "anything at all\nwith lines")).toBe(true);
  });

  it("treats every other character literally", () => {
    expect(globMatches("a.b", "axb")).toBe(false);
    expect(globMatches("a?b", "axb")).toBe(false);
    expect(globMatches("[ab]", "a")).toBe(false);
    expect(globMatches("a\\*", "a\\xyz")).toBe(true);
  });

  it("compares numbers and booleans as text, and never objects or lists", () => {
    expect(globMatches("42", 42)).toBe(true);
    expect(globMatches("true", true)).toBe(true);
    expect(globMatches("*", { a: 1 })).toBe(false);
    expect(globMatches("*", ["a"])).toBe(false);
    expect(globMatches("*", undefined)).toBe(false);
  });
});

describe("linear-time matching (issue 15: the backtracking regex took seconds)", () => {
  // The reference: what a correct (if backtracking) anchored regex decides, on small inputs only.
  const reference = (pattern: string, text: string) =>
    new RegExp(
      `^${pattern
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("[\\s\\S]*")}$`,
    ).test(text);

  it("decides exactly what the anchored regex decides, over every small pattern and text", () => {
    const alphabet = ["a", "b", "*"];
    const words = (n: number): string[] =>
      n === 0 ? [""] : words(n - 1).flatMap((w) => alphabet.map((c) => w + c));
    const patterns = [0, 1, 2, 3, 4].flatMap(words);
    const texts = [0, 1, 2, 3, 4, 5].flatMap(words).filter((t) => !t.includes("*"));
    let compared = 0;
    for (const pattern of patterns)
      for (const text of texts) {
        expect(globMatches(pattern, text), `${pattern} ~ ${text}`).toBe(reference(pattern, text));
        compared += 1;
      }
    expect(compared).toBe(121 * 63);
  });

  it("answers the crafted subject of the review at once, and a hundred times longer too", () => {
    const pattern = "repo:*/*:*:ref:refs/heads/main";
    for (const repeats of [2_000, 200_000]) {
      const subject = "repo:" + "/:".repeat(repeats);
      const started = performance.now();
      expect(globMatches(pattern, subject)).toBe(false);
      expect(globMatches("*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(repeats))).toBe(false);
      // The regex needed ~10 s for 2,000 repeats; linear matching needs well under a millisecond.
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it("handles pieces that overlap the anchored ends", () => {
    expect(globMatches("ab*ba", "aba")).toBe(false);
    expect(globMatches("ab*ba", "abba")).toBe(true);
    expect(globMatches("a*a", "a")).toBe(false);
    expect(globMatches("**", "")).toBe(true);
    expect(globMatches("é*ü", "é—ü")).toBe(true);
  });
});

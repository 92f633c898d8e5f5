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

import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it.each([
    ["/org/acme/teams", "/org/acme/teams"],
    ["/ml-team/settings?tab=1#x", "/ml-team/settings?tab=1#x"],
    ["/", "/"],
  ])("keeps the same-origin path %s", (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it.each([
    "https://evil.example/",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "org/acme",
    "/login",
    "/logout",
    "",
    null,
    undefined,
    `/${"a".repeat(3000)}`,
    "/\tevil",
    // Paths that only become another host once normalised.
    "/.//evil.example/steal",
    "/..//evil.example",
    "/%2e//evil.example",
    "/%2E%2E//evil.example",
    "/./\\evil.example",
    "/a/..//evil.example",
  ])("falls back to / for %s", (input) => {
    expect(safeReturnPath(input as string)).toBe("/");
  });
});

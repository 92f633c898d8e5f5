import { describe, expect, it } from "vitest";
import { isBoundedId, isWellFormedText, zText } from "./text";

describe("well-formed text", () => {
  it("refuses lone surrogates, which the database driver cannot encode", () => {
    expect(isWellFormedText("plain ✓ 😀")).toBe(true);
    expect(isWellFormedText("\ud800")).toBe(false);
    expect(isWellFormedText("a\udc00b")).toBe(false);
    expect(isWellFormedText("nul\u0000inside")).toBe(false);
    expect(zText().safeParse("\ud83d").success).toBe(false);
    expect(zText().max(3).safeParse("abc").success).toBe(true);
  });

  it("accepts only short well-formed strings as ids", () => {
    expect(isBoundedId("cm1abc")).toBe(true);
    for (const bad of ["", "x".repeat(65), "\ud800", 42, null, {}, ["a"]])
      expect(isBoundedId(bad)).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { RESERVED_SLUGS, ZSlug } from "./slug";

describe("ZSlug", () => {
  it.each(["ml-team", "research", "a1", "team-2026"])("accepts %s", (slug) => {
    expect(ZSlug.safeParse(slug).success).toBe(true);
  });

  it.each([
    ["a", "at least 2"],
    ["ML-Team", "lowercase"],
    ["-team", "lowercase"],
    ["team-", "lowercase"],
    ["my--team", "lowercase"],
    ["my team", "lowercase"],
    ["x".repeat(41), "at most 40"],
  ])("refuses %s", (slug, message) => {
    const result = ZSlug.safeParse(slug);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });

  it.each(["api", "org", "login", "logout", "setup", "settings", "static", "public", "service-accounts"])(
    "refuses the reserved word %s",
    (slug) => {
      expect(RESERVED_SLUGS.has(slug)).toBe(true);
      expect(ZSlug.safeParse(slug).error?.issues[0]?.message).toMatch(/reserved/);
    },
  );

  it("reserves _next even though the pattern would refuse it anyway", () => {
    expect(RESERVED_SLUGS.has("_next")).toBe(true);
    expect(ZSlug.safeParse("_next").success).toBe(false);
  });
});

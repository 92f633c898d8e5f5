import { describe, expect, it } from "vitest";
import {
  HOSTS_BEFORE_COLLAPSE,
  collapseAddresses,
  describeUse,
  narrowedFields,
  proposeRestrictions,
  summariseUse,
  windowStart,
} from "./right-sizing";
import { NO_RESTRICTIONS } from "./restrictions";

const use = (facts: [string, string, string][], days: [string, number][] = [["2026-12-01", 5]]) =>
  summariseUse(
    days.map(([day, requests]) => ({ day, requests })),
    facts.map(([day, kind, value]) => ({ day, kind, value })),
  );

describe("right-sizing (rule 27)", () => {
  it("counts days per project and per kind", () => {
    const summary = use(
      [
        ["2026-11-30", "write", "t/a"],
        ["2026-12-01", "write", "t/a"],
        ["2026-12-01", "read", "t/b"],
        ["2026-12-01", "admin", ""],
        ["2026-12-01", "address", "10.0.0.1/32"],
      ],
      [
        ["2026-11-30", 2],
        ["2026-12-01", 3],
        ["2026-11-29", 0],
      ],
    );
    expect(summary).toEqual({
      requests: 5,
      days: 2,
      reads: { "t/b": 1 },
      writes: { "t/a": 2 },
      adminDays: 1,
      addresses: ["10.0.0.1/32"],
    });
  });

  it("proposes the lowest permission that was needed, within the account's role", () => {
    const reads = use([["d", "read", "t/a"]]);
    expect(proposeRestrictions(reads, NO_RESTRICTIONS, "ADMIN").permission).toBe("read");
    expect(proposeRestrictions(reads, NO_RESTRICTIONS, "VIEWER").permission).toBeNull();
    const writes = use([["d", "write", "t/a"]]);
    expect(proposeRestrictions(writes, NO_RESTRICTIONS, "ADMIN").permission).toBe("write");
    expect(proposeRestrictions(writes, NO_RESTRICTIONS, "MEMBER").permission).toBeNull();
    const admin = use([
      ["d", "admin", ""],
      ["d", "write", "t/a"],
    ]);
    expect(proposeRestrictions(admin, NO_RESTRICTIONS, "ADMIN")).toMatchObject({
      permission: null,
      projects: null,
    });
  });

  it("proposes only projects that still exist, and keeps the current list when none was used", () => {
    const summary = use([
      ["d", "read", "t/a"],
      ["d", "write", "t/gone"],
    ]);
    expect(proposeRestrictions(summary, NO_RESTRICTIONS, "MEMBER", (p) => p !== "t/gone").projects).toEqual([
      "t/a",
    ]);
    const none = use([]);
    expect(proposeRestrictions(none, { ...NO_RESTRICTIONS, projects: ["t/x"] }, "MEMBER").projects).toEqual([
      "t/x",
    ]);
  });

  it("collapses many hosts into their /24 and /64 networks, and gives up past 32", () => {
    const hosts = Array.from({ length: HOSTS_BEFORE_COLLAPSE + 1 }, (_, i) => `10.1.${i % 2}.${i}/32`);
    expect(collapseAddresses(hosts)).toEqual(["10.1.0.0/24", "10.1.1.0/24"]);
    expect(collapseAddresses(["2001:db8::1/128", "2001:db8::2/128"])).toEqual([
      "2001:db8::1/128",
      "2001:db8::2/128",
    ]);
    const v6 = Array.from({ length: 9 }, (_, i) => `2001:db8:0:${i}::1/128`);
    expect(collapseAddresses(v6)).toHaveLength(9);
    expect(collapseAddresses(v6)).toContain("2001:db8::/64");
    const many = Array.from({ length: 40 }, (_, i) => `10.${i}.0.1/32`);
    expect(collapseAddresses(many)).toBeNull();
    // A host inside a recorded network (the record's bound) adds nothing.
    expect(collapseAddresses(["10.2.3.0/24", "10.2.3.9/32"])).toEqual(["10.2.3.0/24"]);
  });

  it("never proposes ranges outside the current ones", () => {
    const summary = use([
      ["d", "read", "t/a"],
      ["d", "address", "10.0.0.1/32"],
      ["d", "address", "192.0.2.1/32"],
    ]);
    const current = { ...NO_RESTRICTIONS, allowedIps: ["10.0.0.0/8"] };
    expect(proposeRestrictions(summary, current, "MEMBER").allowedIps).toEqual(["10.0.0.1/32"]);
  });

  it("names what narrows, and nothing when the key is as narrow as its use", () => {
    const current = { permission: "read" as const, projects: ["t/a"], allowedIps: ["10.0.0.1/32"] };
    expect(narrowedFields(current, current, "MEMBER")).toEqual([]);
    expect(narrowedFields(current, NO_RESTRICTIONS, "MEMBER")).toEqual([
      "permission",
      "projects",
      "allowedIps",
    ]);
    expect(narrowedFields({ ...NO_RESTRICTIONS, permission: "write" }, NO_RESTRICTIONS, "MEMBER")).toEqual(
      [],
    );
  });

  it("says what the key did", () => {
    expect(describeUse(use([], []))).toMatch(/made no requests in the last 30 days/);
    expect(
      describeUse(
        use([
          ["a", "write", "ml/prod"],
          ["b", "write", "ml/prod"],
          ["a", "address", "10.1.2.3/32"],
        ]),
      ),
    ).toBe(
      "Wrote runs to ml/prod on 2 days; read nothing else; from 10.1.2.3 (5 requests on 1 day of the last 30).",
    );
    expect(describeUse(use([]))).toBe("Read and wrote no project (5 requests on 1 day of the last 30).");
  });

  it("a 30-day window ends today", () => {
    expect(windowStart(new Date("2026-12-30T12:00:00Z"))).toBe("2026-12-01");
  });
});

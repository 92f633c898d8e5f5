import { describe, expect, it } from "vitest";
import {
  EXACT_ADDRESSES_PER_DAY,
  LastUsedRecorder,
  factsOf,
  utcDayOf,
  type LastUsedEntry,
} from "./last-used";

describe("LastUsedRecorder", () => {
  it("coalesces many uses into one write per key per flush", async () => {
    const recorder = new LastUsedRecorder();
    for (let i = 0; i < 1_000; i++) recorder.record(`key-${i % 3}`, new Date(i));
    const writes: LastUsedEntry[][] = [];
    expect(await recorder.flush(async (entries) => void writes.push(entries))).toBe(3);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.map(([id, at]) => [id, at.getTime()])).toEqual([
      ["key-0", 999],
      ["key-1", 997],
      ["key-2", 998],
    ]);
    expect(await recorder.flush(async () => void writes.push([]))).toBe(0);
    expect(writes).toHaveLength(1);
  });

  it("keeps the batch when the write fails", async () => {
    const recorder = new LastUsedRecorder();
    recorder.record("a", new Date(1));
    await expect(recorder.flush(async () => Promise.reject(new Error("busy")))).rejects.toThrow("busy");
    recorder.record("b", new Date(2));
    const seen: string[] = [];
    await recorder.flush(async (entries) => void seen.push(...entries.map(([id]) => id)));
    expect(seen.sort()).toEqual(["a", "b"]);
  });

  it("counts requests per UTC day and keeps the latest address; a failed write loses no count", async () => {
    const recorder = new LastUsedRecorder();
    const source = { accountId: "acct", ip: "10.0.0.1" };
    recorder.record("k", new Date("2026-11-24T23:59:59Z"), source);
    recorder.record("k", new Date("2026-11-25T00:00:01Z"), { ...source, ip: "10.0.0.2" });
    recorder.record("k", new Date("2026-11-25T10:00:00Z"), { ...source, ip: "10.0.0.3" });
    await expect(recorder.flush(async () => Promise.reject(new Error("busy")))).rejects.toThrow("busy");
    recorder.record("k", new Date("2026-11-25T11:00:00Z"), { ...source, ip: "10.0.0.4" });
    const writes: LastUsedEntry[] = [];
    await recorder.flush(async (entries) => void writes.push(...entries));
    expect(writes).toHaveLength(1);
    const [id, at, use] = writes[0]!;
    expect([id, at]).toEqual(["k", new Date("2026-11-25T11:00:00Z")]);
    expect(use).toMatchObject({
      accountId: "acct",
      ip: "10.0.0.4",
      perDay: { "2026-11-24": 1, "2026-11-25": 3 },
    });
    // Rule 27's address facts of the failed batch come back too.
    expect(factsOf(use!).filter((f) => f.kind === "address")).toHaveLength(4);
  });

  it("keeps what a key did per day, and bounds the addresses kept exactly (rule 27)", async () => {
    const recorder = new LastUsedRecorder();
    const day = new Date("2026-12-01T10:00:00Z");
    for (let i = 0; i < EXACT_ADDRESSES_PER_DAY + 40; i++) {
      recorder.record("k", day, { accountId: "acct", ip: `10.${Math.floor(i / 200)}.${i % 3}.${i}` });
    }
    recorder.note("k", "acct", day, "read", "t/a");
    recorder.note("k", "acct", day, "read", "t/a");
    recorder.note("k", "acct", day, "write", "t/b");
    recorder.note("k", "acct", day, "admin");
    // A note after a flush (the request began in the previous batch) starts the next one.
    recorder.note("late", "acct", day, "write", "t/c");
    const writes: LastUsedEntry[] = [];
    await recorder.flush(async (entries) => void writes.push(...entries));
    const facts = factsOf(writes.find(([id]) => id === "k")![2]!);
    const addresses = facts.filter((f) => f.kind === "address").map((f) => f.value);
    expect(addresses.filter((a) => a.endsWith("/32"))).toHaveLength(EXACT_ADDRESSES_PER_DAY);
    expect(addresses.filter((a) => a.endsWith("/24")).sort()).toEqual([
      "10.0.0.0/24",
      "10.0.1.0/24",
      "10.0.2.0/24",
    ]);
    expect(facts.filter((f) => f.kind !== "address")).toEqual([
      { day: "2026-12-01", kind: "read", value: "t/a" },
      { day: "2026-12-01", kind: "write", value: "t/b" },
      { day: "2026-12-01", kind: "admin", value: "" },
    ]);
    expect(factsOf(writes.find(([id]) => id === "late")![2]!)).toEqual([
      { day: "2026-12-01", kind: "write", value: "t/c" },
    ]);
  });
});

describe("utcDayOf", () => {
  it("is the UTC day of any instant, forwards, backwards and across midnight", () => {
    const instants = [
      "2026-12-01T23:59:59.999Z",
      "2026-12-02T00:00:00.000Z",
      "2026-12-02T13:45:00.000Z",
      "2026-11-30T08:00:00.000Z",
      "1969-12-31T23:00:00.000Z",
      "2026-12-02T00:00:00.001Z",
    ];
    for (const iso of instants) expect(utcDayOf(new Date(iso))).toBe(iso.slice(0, 10));
  });

  it("counts a request just past midnight on the new day", () => {
    const recorder = new LastUsedRecorder();
    recorder.record("k", new Date("2026-12-01T23:59:59.999Z"), { accountId: "a", ip: "10.0.0.1" });
    recorder.record("k", new Date("2026-12-02T00:00:00.000Z"), { accountId: "a", ip: "10.0.0.1" });
    let days: Record<string, number> = {};
    void recorder.flush(async (entries) => void (days = entries[0]![2]!.perDay));
    expect(days).toEqual({ "2026-12-01": 1, "2026-12-02": 1 });
  });
});

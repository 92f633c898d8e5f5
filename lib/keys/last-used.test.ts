import { describe, expect, it } from "vitest";
import { LastUsedRecorder, type LastUsedEntry } from "./last-used";

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
    expect(writes).toEqual([
      [
        "k",
        new Date("2026-11-25T11:00:00Z"),
        { accountId: "acct", ip: "10.0.0.4", perDay: { "2026-11-24": 1, "2026-11-25": 3 } },
      ],
    ]);
  });
});

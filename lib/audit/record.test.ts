import { describe, expect, it } from "vitest";
import { scrubMetadata } from "./record";

describe("scrubMetadata", () => {
  it("drops secret-looking keys at any depth and keeps the rest", () => {
    expect(
      scrubMetadata({
        role: "ADMIN",
        password: "hunter2",
        secretHash: "abc",
        nested: { apiKey: "dpt_x", token: "t", name: "ci" },
        list: [{ credential: "c", ok: 1 }],
      }),
    ).toEqual({ role: "ADMIN", nested: { name: "ci" }, list: [{ ok: 1 }] });
  });
});

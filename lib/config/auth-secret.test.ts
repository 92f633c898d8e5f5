import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAuthSecret } from "./auth-secret";

describe("resolveAuthSecret", () => {
  it("prefers AUTH_SECRET", () => {
    expect(resolveAuthSecret("x".repeat(40), "/nonexistent")).toBe("x".repeat(40));
  });

  it("generates a secret once, keeps it under data/ with mode 0600, and reuses it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-secret-"));
    const first = resolveAuthSecret(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(43);
    const file = path.join(dir, "data", "auth-secret");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveAuthSecret(undefined, dir)).toBe(first);
  });
});

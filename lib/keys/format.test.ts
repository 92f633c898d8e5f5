import { describe, expect, it } from "vitest";
import { KEY_LENGTH, generateApiKey, hashSecret, maskedKey, parseApiKey, secretMatches } from "./format";

describe("API key format", () => {
  it("generates dpt_ keys with an id, ≥160 bits of secret and a checksum", () => {
    const key = generateApiKey();
    expect(key.token).toMatch(/^dpt_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
    expect(key.token).toHaveLength(KEY_LENGTH);
    expect(key.token.startsWith(`dpt_${key.keyId}_`)).toBe(true);
    // 32 base62 characters: 32 × log2(62) ≈ 190 bits.
    expect(32 * Math.log2(62)).toBeGreaterThan(160);
    expect(key.last4).toBe(key.token.slice(-4));
    expect(maskedKey(key.last4)).toBe(`dpt_…${key.last4}`);
  });

  it("stores only a hash: the record holds no part of the secret", () => {
    const key = generateApiKey();
    const parsed = parseApiKey(key.token)!;
    expect(key.secretHash).toBe(hashSecret(parsed.secret));
    expect(key.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify({ keyId: key.keyId, secretHash: key.secretHash, last4: key.last4 })).not.toContain(
      parsed.secret.slice(0, 8),
    );
  });

  it("parses its own keys and never repeats", () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const key = generateApiKey();
      expect(parseApiKey(key.token)).toEqual({ keyId: key.keyId, secret: expect.any(String) as string });
      tokens.add(key.token);
    }
    expect(tokens.size).toBe(1000);
  });

  it("rejects a one-character typo anywhere through the checksum", () => {
    const { token } = generateApiKey();
    for (let i = 4; i < token.length; i++) {
      if (token[i] === "_") continue;
      const typo = token.slice(0, i) + (token[i] === "a" ? "b" : "a") + token.slice(i + 1);
      expect(parseApiKey(typo)).toBeNull();
    }
  });

  it("rejects malformed input without throwing", () => {
    const { token } = generateApiKey();
    for (const bad of [
      "",
      "dpt_",
      token.slice(0, -1),
      `${token}x`,
      token.replace("dpt_", "dpx_"),
      "x".repeat(100_000),
    ]) {
      expect(parseApiKey(bad)).toBeNull();
    }
    expect(parseApiKey(42 as unknown as string)).toBeNull();
  });

  it("compares secrets against the stored hash", () => {
    const key = generateApiKey();
    const { secret } = parseApiKey(key.token)!;
    expect(secretMatches(secret, key.secretHash)).toBe(true);
    const other = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
    expect(secretMatches(other, key.secretHash)).toBe(false);
    expect(secretMatches(secret, "not-hex")).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { generateOneTimePassword, hashPassword, verifyPassword } from "./password";

describe("password hashing", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(hash).not.toContain("correct horse battery");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("refuses malformed stored hashes instead of throwing", async () => {
    for (const stored of ["", "plain", "scrypt$1$2$3", "bcrypt$a$b$c$d$e", "scrypt$32768$8$1$AAAA$short"]) {
      expect(await verifyPassword("anything", stored)).toBe(false);
    }
  });
});

describe("generateOneTimePassword", () => {
  it("makes readable, unambiguous, distinct passwords", () => {
    const a = generateOneTimePassword();
    expect(a).toMatch(/^[a-hjkmnp-z2-9]{5}(-[a-hjkmnp-z2-9]{5}){3}$/);
    expect(generateOneTimePassword()).not.toBe(a);
  });
});

import { describe, expect, it } from "vitest";
import { generateApiKey, hashSecret } from "@/lib/keys/format";
import { scrubSecrets } from "./log";
import { acceptRequestId } from "./request-log";

describe("scrubSecrets", () => {
  it("replaces every credential shape an error message could quote, and keeps the words", () => {
    const key = generateApiKey().token;
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUifQ.c2lnbmF0dXJlLXBhcnQ";
    const text = [
      `bad key ${key}`,
      `token ${key.replace("dpt_", "dpa_")}`,
      "scim dps_" + "A".repeat(43),
      "secret whsec_" + "Zm9vYmFy".repeat(4),
      `jwt ${jwt}`,
      `hash ${hashSecret("x")}`,
      "base64 " + "Q".repeat(44) + "=",
    ].join("; ");
    const scrubbed = scrubSecrets(text);
    for (const word of ["bad key", "token", "scim", "secret", "jwt", "hash", "base64"]) {
      expect(scrubbed).toContain(word);
    }
    expect(scrubbed).not.toMatch(/dp[tas]_|whsec_|eyJ|[0-9a-f]{40}|Q{40}/);
    expect(scrubbed.match(/\[redacted\]/g)).toHaveLength(7);
  });

  it("leaves ordinary messages alone", () => {
    const message = "Unique constraint failed on the fields: (`orgId`,`name`) at /app/lib/api/handler.ts:120";
    expect(scrubSecrets(message)).toBe(message);
  });
});

describe("acceptRequestId", () => {
  it("takes a well-formed id and makes one for anything else", () => {
    expect(acceptRequestId("trace-1.2:3@lb")).toBe("trace-1.2:3@lb");
    const made = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const bad of [
      undefined,
      "",
      "a b",
      'x"y',
      "é",
      "x".repeat(129),
      ["a", "b"],
      generateApiKey().token,
      "eyJabc",
    ]) {
      expect(acceptRequestId(bad as string | undefined)).toMatch(made);
    }
  });
});

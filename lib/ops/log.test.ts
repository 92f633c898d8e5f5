import { execFileSync } from "node:child_process";
import path from "node:path";
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

describe("logRequest", () => {
  it("writes exactly the line pino would, fields in pino's order, at the status's level", () => {
    const script = `
      import { logger, logRequest } from "./lib/ops/log.ts";
      const line = { reqId: "r-1", method: "GET", route: '/api/v1/"odd"\\\\route\\u2028', status: 200, ms: 1.5, principal: null, ip: "::1" };
      logRequest(line);
      logger().info(line, "request");
      logRequest({ ...line, method: undefined, status: 503, principal: "ci@acme.sa.deputy.local (key k1)" });
      logger().error({ ...line, method: undefined, status: 503, principal: "ci@acme.sa.deputy.local (key k1)" }, "request");
    `;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, DEPUTY_LOG_LEVEL: "info" },
      encoding: "utf8",
    });
    const lines = out.trim().split("\n");
    expect(lines).toHaveLength(4);
    const withoutTime = (text: string) => {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(parsed.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      return text.replace(/"time":"[^"]+"/, "");
    };
    expect(withoutTime(lines[0]!)).toBe(withoutTime(lines[1]!));
    expect(withoutTime(lines[2]!)).toBe(withoutTime(lines[3]!));
    expect(JSON.parse(lines[2]!)).toMatchObject({ level: "error", status: 503, msg: "request" });
    expect(JSON.parse(lines[2]!)).not.toHaveProperty("method");
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./env";

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseConfig", () => {
  it("needs no configuration at all", () => {
    expect(parseConfig({})).toEqual({
      port: 3000,
      databaseUrl: "file:./data/deputy.db",
      demo: false,
      authSecret: undefined,
      saDomain: "deputy.local",
      authFailLimit: 30,
      publicUrl: "http://localhost:3000",
      accessTokenTtl: 3600,
      allowPrivateIssuers: false,
    });
  });

  it("bounds the access-token lifetime and reads the private-issuer switch", () => {
    expect(parseConfig({ DEPUTY_ACCESS_TOKEN_TTL: "600", DEPUTY_ALLOW_PRIVATE_ISSUERS: "1" })).toMatchObject({
      accessTokenTtl: 600,
      allowPrivateIssuers: true,
    });
    expect(() => parseConfig({ DEPUTY_ACCESS_TOKEN_TTL: "59" })).toThrow(/between 60 and 43200/);
    expect(() => parseConfig({ DEPUTY_ACCESS_TOKEN_TTL: "43201" })).toThrow(/between 60 and 43200/);
    expect(() => parseConfig({ DEPUTY_ALLOW_PRIVATE_ISSUERS: "yes" })).toThrow(
      /DEPUTY_ALLOW_PRIVATE_ISSUERS/,
    );
  });

  it("treats empty strings as unset and derives the public URL from PORT", () => {
    const c = parseConfig({ PORT: "8080", AUTH_SECRET: "", DEPUTY_DEMO: "1" });
    expect(c.port).toBe(8080);
    expect(c.publicUrl).toBe("http://localhost:8080");
    expect(c.demo).toBe(true);
  });

  it("explains every bad value at once", () => {
    const list = problems({
      PORT: "eighty",
      DEPUTY_DEMO: "yes",
      AUTH_SECRET: "short",
      DEPUTY_SA_DOMAIN: "not a domain",
      DEPUTY_AUTH_FAIL_LIMIT: "0",
      DEPUTY_PUBLIC_URL: "deputy.example.com",
      DATABASE_URL: "mysql://x",
    });
    expect(list).toHaveLength(7);
    expect(list.join("\n")).toMatch(/PORT must be a number/);
    expect(list.join("\n")).toMatch(/DEPUTY_DEMO must be 1/);
    expect(list.join("\n")).toMatch(/AUTH_SECRET must be at least 32 characters/);
    expect(list.join("\n")).toMatch(/DEPUTY_SA_DOMAIN must be a domain name/);
    expect(list.join("\n")).toMatch(/DEPUTY_AUTH_FAIL_LIMIT must be at least 1/);
    expect(list.join("\n")).toMatch(/DEPUTY_PUBLIC_URL must be an absolute http\(s\) URL/);
    expect(list.join("\n")).toMatch(/DATABASE_URL must be a SQLite file URL/);
  });

  it("refuses a port out of range", () => {
    expect(problems({ PORT: "70000" })).toEqual(["PORT must be between 1 and 65535"]);
  });

  it("strips a trailing slash from the public URL", () => {
    expect(parseConfig({ DEPUTY_PUBLIC_URL: "https://deputy.example.com/" }).publicUrl).toBe(
      "https://deputy.example.com",
    );
  });
});

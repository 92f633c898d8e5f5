import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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
      allowPrivateWebhooks: false,
      jobsInterval: 60,
      smtpUrl: undefined,
      logLevel: "info",
      mailFrom: "deputy@localhost",
      secretScanningKeys: undefined,
      trustedProxies: [],
    });
  });

  it("reads DEPUTY_TRUSTED_PROXIES as normalised ranges and names a bad one", () => {
    expect(parseConfig({ DEPUTY_TRUSTED_PROXIES: "10.1.2.3/8, 2001:DB8::/32" }).trustedProxies).toEqual([
      "10.0.0.0/8",
      "2001:db8::/32",
    ]);
    expect(() => parseConfig({ DEPUTY_TRUSTED_PROXIES: "10.0.0.0/8,proxy.internal" })).toThrow(
      /DEPUTY_TRUSTED_PROXIES must be comma-separated CIDR ranges/,
    );
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

  describe("DEPUTY_SECRET_SCANNING_KEYS", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-env-scan-"));
    const pem = (type: "ec" | "rsa" | "ed25519", options: object = {}) =>
      crypto
        .generateKeyPairSync(type as "ec", options as crypto.ECKeyPairKeyObjectOptions)
        .publicKey.export({ type: "spki", format: "pem" })
        .toString();
    const p256 = () => pem("ec", { namedCurve: "P-256" });
    let n = 0;
    const fileWith = (text: string) => {
      const file = path.join(dir, `keys-${(n += 1)}.pem`);
      fs.writeFileSync(file, text);
      return file;
    };

    it("reads every ECDSA P-256 public key of the file", () => {
      const [a, b] = [p256(), p256()];
      const file = fileWith(`GitHub's keys\n${a}\n${b}`);
      expect(parseConfig({ DEPUTY_SECRET_SCANNING_KEYS: file }).secretScanningKeys).toEqual({
        file,
        publicKeys: [a, b],
      });
    });

    it("names the variable, the file and what is wrong, one line each", () => {
      const missing = path.join(dir, "nope.pem");
      const rsa = fileWith(pem("rsa", { modulusLength: 2048 }));
      const p384 = fileWith(`${p256()}${pem("ec", { namedCurve: "P-384" })}`);
      const ed = fileWith(pem("ed25519"));
      const privateKey = fileWith(
        crypto
          .generateKeyPairSync("ec", { namedCurve: "P-256" })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString(),
      );
      const garbled = fileWith("-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n");
      const empty = fileWith("");
      const cases: [string, string][] = [
        [missing, `DEPUTY_SECRET_SCANNING_KEYS: ${missing} does not exist`],
        [dir, `DEPUTY_SECRET_SCANNING_KEYS: ${dir} is a directory, not a file of PEM public keys`],
        [
          empty,
          `DEPUTY_SECRET_SCANNING_KEYS: ${empty} holds no PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)`,
        ],
        [
          rsa,
          `DEPUTY_SECRET_SCANNING_KEYS: ${rsa} holds an RSA key; only ECDSA P-256 keys sign secret-scanning reports`,
        ],
        [
          p384,
          `DEPUTY_SECRET_SCANNING_KEYS: ${p384} holds an ECDSA secp384r1 key (block 2); only ECDSA P-256 keys sign secret-scanning reports`,
        ],
        [
          ed,
          `DEPUTY_SECRET_SCANNING_KEYS: ${ed} holds an Ed25519 key; only ECDSA P-256 keys sign secret-scanning reports`,
        ],
        [
          privateKey,
          `DEPUTY_SECRET_SCANNING_KEYS: ${privateKey} holds a PEM block of type PRIVATE KEY, not PUBLIC KEY`,
        ],
        [garbled, `DEPUTY_SECRET_SCANNING_KEYS: ${garbled} holds a PUBLIC KEY that does not parse`],
      ];
      for (const [file, line] of cases)
        expect(problems({ DEPUTY_SECRET_SCANNING_KEYS: file })).toEqual([line]);
      if (process.getuid?.() !== 0) {
        const unreadable = fileWith(p256());
        fs.chmodSync(unreadable, 0o000);
        expect(problems({ DEPUTY_SECRET_SCANNING_KEYS: unreadable })).toEqual([
          `DEPUTY_SECRET_SCANNING_KEYS: ${unreadable} cannot be read (permission denied)`,
        ]);
      }
      // Listed with every other bad value, not instead of them.
      expect(problems({ PORT: "eighty", DEPUTY_SECRET_SCANNING_KEYS: missing })).toEqual([
        "PORT must be a number, e.g. 3000",
        `DEPUTY_SECRET_SCANNING_KEYS: ${missing} does not exist`,
      ]);
    });

    it("keeps the keys read at start-up when the file later disappears or breaks", () => {
      const key = p256();
      const file = fileWith(key);
      expect(parseConfig({ DEPUTY_SECRET_SCANNING_KEYS: file }).secretScanningKeys?.publicKeys).toEqual([
        key,
      ]);
      fs.writeFileSync(file, "oops");
      expect(parseConfig({ DEPUTY_SECRET_SCANNING_KEYS: file }).secretScanningKeys?.publicKeys).toEqual([
        key,
      ]);
      fs.rmSync(file);
      expect(parseConfig({ DEPUTY_SECRET_SCANNING_KEYS: file }).secretScanningKeys?.publicKeys).toEqual([
        key,
      ]);
    });
  });
});

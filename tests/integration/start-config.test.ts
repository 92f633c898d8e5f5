// `npm start` refuses bad configuration and an unusable database before serving: one line per
// problem, never a stack trace.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { TEST_ENGINE, databaseUrlFor } from "../support/engine";

const root = path.resolve(import.meta.dirname, "..", "..");

function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 30_000,
  });
}

describe("npm start", () => {
  it("exits with a message for each bad value", () => {
    const result = start({ PORT: "eighty", DEPUTY_AUTH_FAIL_LIMIT: "-3", DATABASE_URL: "mysql://db/deputy" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Deputy cannot start. Invalid configuration:");
    expect(result.stderr).toContain("- PORT must be a number, e.g. 3000");
    expect(result.stderr).toContain("- DEPUTY_AUTH_FAIL_LIMIT must be at least 1");
    expect(result.stderr).toContain("- DATABASE_URL must be a SQLite file URL");
  });

  it("refuses a DEPUTY_SECRET_SCANNING_KEYS file that is missing, naming the variable and the path", () => {
    const missing = path.join(os.tmpdir(), `deputy-no-such-keys-${process.pid}.pem`);
    const result = start({ DEPUTY_SECRET_SCANNING_KEYS: missing });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Deputy cannot start. Invalid configuration:\n  - DEPUTY_SECRET_SCANNING_KEYS: ${missing} does not exist`,
    );
  });

  it("refuses a DEPUTY_SECRET_SCANNING_KEYS file without a valid ECDSA P-256 public key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-start-scan-"));
    const noKey = path.join(dir, "notes.txt");
    fs.writeFileSync(noKey, "GitHub's secret-scanning keys go here\n");
    const rsa = path.join(dir, "rsa.pem");
    fs.writeFileSync(
      rsa,
      crypto
        .generateKeyPairSync("rsa", { modulusLength: 2048 })
        .publicKey.export({ type: "spki", format: "pem" }),
    );
    for (const [file, problem] of [
      [noKey, "holds no PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)"],
      [rsa, "holds an RSA key; only ECDSA P-256 keys sign secret-scanning reports"],
    ] as const) {
      const result = start({ DEPUTY_SECRET_SCANNING_KEYS: file });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Deputy cannot start. Invalid configuration:\n  - DEPUTY_SECRET_SCANNING_KEYS: ${file} ${problem}`,
      );
    }
  });

  it("refuses an unreachable PostgreSQL with one clear line", () => {
    const result = start({ DATABASE_URL: "postgresql://deputy:secret-pw@127.0.0.1:1/deputy" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      "Deputy cannot start. PostgreSQL is unreachable at 127.0.0.1:1 (connection refused): start it, or fix the host and port in DATABASE_URL.",
    );
    expect(result.stderr).not.toContain("secret-pw");
  });

  it("refuses a SQLite file another process holds, with one clear line", () => {
    const file = path.join(root, "data", "test", `held-${process.pid}.db`);
    const holder = new Database(file);
    holder.exec("CREATE TABLE IF NOT EXISTS t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);");
    try {
      const result = start({ DATABASE_URL: `file:${file}` });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(
        /^Deputy cannot start\. Another process holds data\/test\/held-\d+\.db \(a second Deputy, a benchmark, a database tool\): stop it, then start Deputy again\.$/,
      );
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
  });

  // These need a PostgreSQL server to refuse them: they run in the PostgreSQL pass of `npm test`.
  it.runIf(TEST_ENGINE === "postgresql")("refuses a wrong PostgreSQL password with one clear line", () => {
    const url = new URL(databaseUrlFor("postgres"));
    url.password = "definitely-wrong-password";
    const result = start({ DATABASE_URL: url.toString() });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Deputy cannot start. PostgreSQL at ${url.hostname}:${url.port || "5432"} refused user "${decodeURIComponent(url.username)}" (wrong password or no access): fix the user and password in DATABASE_URL.`,
    );
    expect(result.stderr).not.toContain("definitely-wrong-password");
  });

  it.runIf(TEST_ENGINE === "postgresql")(
    "refuses a PostgreSQL database that does not exist with one clear line",
    () => {
      const url = new URL(databaseUrlFor("deputy_no_such_database"));
      const result = start({ DATABASE_URL: url.toString() });
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(
        `Deputy cannot start. Database "deputy_no_such_database" does not exist on ${url.hostname}:${url.port || "5432"}: create it (createdb deputy_no_such_database) or fix DATABASE_URL.`,
      );
    },
  );
});

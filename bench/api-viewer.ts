// Benchmark (not a test): authenticated GET /api/v1/viewer on the production server, side by side
// with the floor (bench/floor-server.ts), with autocannon at 50 connections.
//   npm run bench            (about 1½ minutes; builds first if there is no build)
// Prints requests/s, p50 and p99 latency for: the floor, Deputy with valid keys, Deputy with
// 100% garbage keys, Deputy with valid keys from an address past the failure limit; the ratio to
// the floor; and how long a key revoked by another process keeps working.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { generateApiKey } from "../lib/keys/format";
import { parseConfig } from "../lib/config/env";
import { ROOT, migrate } from "../scripts/lib";

const KEYS = 100_000;
const ROTATING_KEYS = 1_000;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const DB_FILE = path.join(ROOT, "data", "bench.db");

async function seed(): Promise<string[]> {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${DB_FILE}${suffix}`, { force: true });
  await migrate(parseConfig({ DATABASE_URL: `file:${DB_FILE}` }));
  const db = new Database(DB_FILE);
  // Prisma keeps DateTime in SQLite as ISO text.
  const now = new Date().toISOString();
  const tokens: string[] = [];
  db.transaction(() => {
    db.prepare(
      `INSERT INTO "Organization" (id, slug, name, seatLimit, createdAt, updatedAt) VALUES ('org', 'bench', 'Bench', 10, ?, ?)`,
    ).run(now, now);
    db.prepare(
      `INSERT INTO "Team" (id, orgId, slug, name, createdAt, updatedAt) VALUES ('team', 'org', 'bench-team', 'Bench', ?, ?)`,
    ).run(now, now);
    const account = db.prepare(
      `INSERT INTO "ServiceAccount" (id, orgId, scope, teamId, name, description, authMethod, role, status, createdAt, updatedAt) VALUES (?, 'org', 'TEAM', 'team', ?, '', 'API_KEY', 'MEMBER', 'ACTIVE', ?, ?)`,
    );
    const key = db.prepare(
      `INSERT INTO "ApiKey" (id, keyId, secretHash, last4, name, serviceAccountId, createdAt) VALUES (?, ?, ?, ?, 'bench', ?, ?)`,
    );
    for (let a = 0; a < 100; a++) account.run(`sa-${a}`, `bench-account-${a}`, now, now);
    for (let i = 0; i < KEYS; i++) {
      const k = generateApiKey();
      key.run(crypto.randomUUID(), k.keyId, k.secretHash, k.last4, `sa-${i % 100}`, now);
      if (i < ROTATING_KEYS) tokens.push(k.token);
    }
  })();
  db.close();
  return tokens;
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 240_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`timed out waiting for ${url}`);
}

function startDeputy(port: number, failLimit: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `file:${DB_FILE}`,
      DEPUTY_AUTH_FAIL_LIMIT: failLimit,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

type Row = { name: string; rps: number; p50: number; p99: number; statuses: string };

async function load(name: string, url: string, tokens: string[]): Promise<Row> {
  // Each connection cycles through the prepared requests, one key after another.
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: tokens.map((token) => ({
      method: "GET" as const,
      headers: { authorization: `Bearer ${token}` },
    })),
  });
  const statuses = Object.entries({
    "2xx": result["2xx"],
    "4xx": result["4xx"],
    "5xx": result["5xx"],
    errors: result.errors,
  })
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, statuses };
}

function garbage(count: number): string[] {
  return Array.from({ length: count }, () => `dpt_${crypto.randomBytes(36).toString("base64url")}`);
}

async function revocationDelay(base: string, token: string): Promise<number> {
  await fetch(`${base}/api/v1/viewer`, { headers: { authorization: `Bearer ${token}` } });
  const keyId = token.slice(4, 16);
  // Revoke from another process (this one), as a second Deputy instance or an operator would.
  const db = new Database(DB_FILE);
  db.prepare(`UPDATE "ApiKey" SET revokedAt = ? WHERE keyId = ?`).run(new Date().toISOString(), keyId);
  db.close();
  const start = performance.now();
  for (;;) {
    const res = await fetch(`${base}/api/v1/viewer`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 401) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const tokens = await seed();
console.log(`Seeded ${KEYS.toLocaleString()} keys; rotating through ${ROTATING_KEYS} of them.`);
const rows: Row[] = [];

const floor = spawn(process.execPath, ["--import", "tsx", "bench/floor-server.ts", DB_FILE, "3501"], {
  cwd: ROOT,
  stdio: "inherit",
});
await waitFor("http://127.0.0.1:3501/", floor);
rows.push(await load("floor: node:http + better-sqlite3", "http://127.0.0.1:3501/api/v1/viewer", tokens));
await stop(floor);

let deputy = startDeputy(3500, "100000");
await waitFor("http://127.0.0.1:3500/api/v1/viewer", deputy);
rows.push(await load("deputy: valid keys", "http://127.0.0.1:3500/api/v1/viewer", tokens));
rows.push(
  await load("deputy: 100% garbage keys", "http://127.0.0.1:3500/api/v1/viewer", garbage(ROTATING_KEYS)),
);
const revokedAfterMs = await revocationDelay("http://127.0.0.1:3500", tokens[0]!);
await stop(deputy);

deputy = startDeputy(3500, "30");
await waitFor("http://127.0.0.1:3500/api/v1/viewer", deputy);
for (let i = 0; i < 31; i++)
  await fetch("http://127.0.0.1:3500/api/v1/viewer", { headers: { authorization: "Bearer garbage" } });
rows.push(
  await load(
    "deputy: valid keys, address past the failure limit",
    "http://127.0.0.1:3500/api/v1/viewer",
    tokens.slice(1),
  ),
);
await stop(deputy);

console.log(
  `\nGET /api/v1/viewer, autocannon, ${CONNECTIONS} connections, ${DURATION_S} s each, same machine`,
);
console.log(
  ["run".padEnd(52), "req/s".padStart(9), "p50 ms".padStart(8), "p99 ms".padStart(8), "  answers"].join(""),
);
for (const r of rows) {
  console.log(
    [
      r.name.padEnd(52),
      r.rps.toFixed(0).padStart(9),
      String(r.p50).padStart(8),
      String(r.p99).padStart(8),
      `  ${r.statuses}`,
    ].join(""),
  );
}
console.log(`\nDeputy / floor (valid keys): ${(rows[1]!.rps / rows[0]!.rps).toFixed(2)}×`);
console.log(`A key revoked by another process was refused after ${revokedAfterMs.toFixed(0)} ms.`);

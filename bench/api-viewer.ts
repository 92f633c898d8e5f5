// Benchmark (not a test): authenticated GET /api/v1/viewer on the production server, side by side
// with the floor (bench/floor-server.ts) on the same database, alternating floor and Deputy runs
// so that whatever else the machine does falls on both, and reporting medians.
//   npm run bench                          SQLite, autocannon
//   BENCH_LOADER=wrk npm run bench         wrk (Debian's package) as the load generator: it costs
//                                          the client far less CPU than autocannon on 2 cores
//   BENCH_DATABASE_URL=postgresql://… BENCH_ENGINES=sqlite,postgresql npm run bench
// BENCH_ROUNDS (default 3) floor/Deputy pairs of BENCH_DURATION seconds (default 10) each, each
// after BENCH_WARMUP seconds (default 2) of the same load that are not measured, 50
// connections, rotating through 1,000 of 100,000 seeded keys. Then, once each: 100% garbage keys,
// and valid keys from an address past the failure limit (all 429). Last, how long a key revoked
// by another process keeps working (measured on a fresh server, before any failure is counted).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import Database from "better-sqlite3";
import pg from "pg";
import { generateApiKey } from "../lib/keys/format";
import { parseConfig } from "../lib/config/env";
import { ROOT, migrate } from "../scripts/lib";
import { freshBenchDatabase, waitForServer } from "./support";

const KEYS = 100_000;
const ROTATING_KEYS = 1_000;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 2);
const LOADER = process.env.BENCH_LOADER === "wrk" ? "wrk" : "autocannon";
const DEPUTY = "http://127.0.0.1:3500";
const FLOOR = "http://127.0.0.1:3501";

type Result = { rps: number; p50: number; p99: number; statuses: string; requests: number; cpuUs?: number };

async function seed(databaseUrl: string): Promise<string[]> {
  await migrate(parseConfig({ DATABASE_URL: databaseUrl }));
  const now = new Date().toISOString();
  const tokens: string[] = [];
  const keys = Array.from({ length: KEYS }, (_, i) => {
    const k = generateApiKey();
    if (i < ROTATING_KEYS) tokens.push(k.token);
    return [crypto.randomUUID(), k.keyId, k.secretHash, k.last4, `sa-${i % 100}`];
  });
  const org = `INSERT INTO "Organization" (id, slug, name, "seatLimit", "createdAt", "updatedAt") VALUES ('org', 'bench', 'Bench', 10, $1, $1)`;
  const team = `INSERT INTO "Team" (id, "orgId", slug, name, "createdAt", "updatedAt") VALUES ('team', 'org', 'bench-team', 'Bench', $1, $1)`;
  if (databaseUrl.startsWith("postgres")) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(org, [now]);
    await client.query(team, [now]);
    const ids = Array.from({ length: 100 }, (_, a) => `sa-${a}`);
    await client.query(
      `INSERT INTO "ServiceAccount" (id, "orgId", scope, "teamId", name, "createdAt", "updatedAt")
       SELECT id, 'org', 'TEAM', 'team', 'bench-account-' || id, $2, $2 FROM unnest($1::text[]) AS id`,
      [ids, now],
    );
    for (let start = 0; start < KEYS; start += 10_000) {
      const batch = keys.slice(start, start + 10_000);
      await client.query(
        `INSERT INTO "ApiKey" (id, "keyId", "secretHash", last4, "serviceAccountId", name, "createdAt")
         SELECT *, 'bench', $6::timestamp(3) FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])`,
        [0, 1, 2, 3, 4].map((c) => batch.map((row) => row[c])).concat([now]) as unknown[],
      );
    }
    await client.query("ANALYZE");
    await client.end();
    return tokens;
  }
  const db = new Database(databaseUrl.slice("file:".length));
  db.transaction(() => {
    db.prepare(org.replaceAll("$1", "?")).run(now, now);
    db.prepare(team.replaceAll("$1", "?")).run(now, now);
    const account = db.prepare(
      `INSERT INTO "ServiceAccount" (id, orgId, scope, teamId, name, createdAt, updatedAt) VALUES (?, 'org', 'TEAM', 'team', ?, ?, ?)`,
    );
    for (let a = 0; a < 100; a++) account.run(`sa-${a}`, `bench-account-${a}`, now, now);
    const key = db.prepare(
      `INSERT INTO "ApiKey" (id, keyId, secretHash, last4, serviceAccountId, name, createdAt) VALUES (?, ?, ?, ?, ?, 'bench', ?)`,
    );
    for (const row of keys) key.run(...row, now);
  })();
  db.close();
  return tokens;
}

function startDeputy(databaseUrl: string, failLimit: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "3500", DATABASE_URL: databaseUrl, DEPUTY_AUTH_FAIL_LIMIT: failLimit },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

function startFloor(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "bench/floor-server.ts", databaseUrl, "3501"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

async function loadWithAutocannon(url: string, tokens: string[], seconds = DURATION_S): Promise<Result> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
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
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    requests: result.requests.total,
  };
}

function loadWithWrk(url: string, tokens: string[], seconds = DURATION_S): Result {
  const keysFile = path.join(os.tmpdir(), `deputy-bench-keys-${process.pid}.txt`);
  fs.writeFileSync(keysFile, tokens.join("\n"));
  const out = execFileSync(
    "wrk",
    [
      "-t2",
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      "--latency",
      "-s",
      path.join(ROOT, "bench", "rotate-keys.lua"),
      url,
    ],
    { env: { ...process.env, WRK_KEYS: keysFile }, encoding: "utf8" },
  );
  const ms = (label: string) => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, "m").exec(out);
    if (!match) return Number.NaN;
    const value = Number(match[1]);
    return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1];
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? Number.NaN);
  return { rps, p50: ms("50"), p99: ms("99"), statuses: non2xx ? `non-2xx: ${non2xx}` : "2xx", requests };
}

/** CPU seconds (user + system, every thread) a process has used so far; NaN off Linux. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ)
  } catch {
    return Number.NaN;
  }
}

/**
 * Loads `url` and measures, beside req/s, the server's CPU time per request: on two shared
 * cores req/s moves with whatever else the machine does, CPU per request much less.
 */
async function load(url: string, tokens: string[], server?: ChildProcess): Promise<Result> {
  // Both servers are measured warm: a production server runs for days, and a fresh one's first
  // seconds (JIT tiers, the start-up garbage's first major collection) say nothing about them.
  if (WARMUP_S > 0) {
    if (LOADER === "wrk") loadWithWrk(url, tokens, WARMUP_S);
    else await loadWithAutocannon(url, tokens, WARMUP_S);
  }
  const before = cpuSeconds(server?.pid);
  const result = LOADER === "wrk" ? loadWithWrk(url, tokens) : await loadWithAutocannon(url, tokens);
  return { ...result, cpuUs: ((cpuSeconds(server?.pid) - before) * 1e6) / result.requests };
}

function garbage(count: number): string[] {
  return Array.from({ length: count }, () => `dpt_${crypto.randomBytes(36).toString("base64url")}`);
}

/** Revokes a key from another process (as an operator or another instance would) and times the refusal. */
async function revocationDelay(databaseUrl: string, token: string): Promise<number> {
  await fetch(`${DEPUTY}/api/v1/viewer`, { headers: { authorization: `Bearer ${token}` } });
  const keyId = token.slice(4, 16);
  if (databaseUrl.startsWith("postgres")) {
    // Another instance revokes and announces it, as Deputy does.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`UPDATE "ApiKey" SET "revokedAt" = now() WHERE "keyId" = $1`, [keyId]);
    await client.query("NOTIFY deputy_credentials");
    await client.end();
  } else {
    const db = new Database(databaseUrl.slice("file:".length));
    db.prepare(`UPDATE "ApiKey" SET revokedAt = ? WHERE keyId = ?`).run(new Date().toISOString(), keyId);
    db.close();
  }
  const start = performance.now();
  while (performance.now() - start < 10_000) {
    const res = await fetch(`${DEPUTY}/api/v1/viewer`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 401) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Number.POSITIVE_INFINITY;
}

/** Restricts every key (rule 24) straight in the database, as PATCH would store it. */
async function restrictAllKeys(databaseUrl: string): Promise<void> {
  const sql = `UPDATE "ApiKey" SET permission = 'read', projects = '["bench-team/bench-project"]', "allowedIps" = '["127.0.0.0/8","::1/128"]'`;
  if (databaseUrl.startsWith("postgres")) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(sql);
    // 100,000 updated rows leave as many dead tuples; reclaim them so the lookups that follow
    // read a table like the one the floor read.
    await client.query('VACUUM ANALYZE "ApiKey"');
    await client.end();
  } else {
    const db = new Database(databaseUrl.slice("file:".length));
    db.prepare(sql).run();
    // Fold the update's write-ahead log back into the database: lookups through a WAL of 100,000
    // changed rows are slower, and the floor's runs read none.
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const row = (name: string, r: Result) =>
  `${name.padEnd(58)}${r.rps.toFixed(0).padStart(9)}${r.p50.toFixed(1).padStart(8)}${r.p99.toFixed(1).padStart(8)}${(r.cpuUs ?? Number.NaN).toFixed(0).padStart(8)}  ${r.statuses}`;

const engines = (process.env.BENCH_ENGINES ?? "sqlite").split(",");
const summary: string[] = [];
for (const engine of engines) {
  const databaseUrl = await freshBenchDatabase(engine, engine === "postgresql" ? "bench-viewer" : "bench");
  const tokens = await seed(databaseUrl);
  console.log(
    `\n[${engine}] seeded ${KEYS.toLocaleString("en-US")} keys; rotating through ${ROTATING_KEYS}.`,
  );

  // The revocation probe first, on a fresh server: no failure has been counted yet.
  let deputy = startDeputy(databaseUrl, "100000");
  await waitForServer(`${DEPUTY}/api/v1/viewer`, deputy);
  const revokedAfterMs = await revocationDelay(databaseUrl, tokens[0]!);
  await stop(deputy);
  const valid = tokens.slice(1);

  const floorRuns: Result[] = [];
  const deputyRuns: Result[] = [];
  const lines: string[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const floor = startFloor(databaseUrl);
    await waitForServer(`${FLOOR}/`, floor);
    floorRuns.push(await load(`${FLOOR}/api/v1/viewer`, valid, floor));
    await stop(floor);
    lines.push(row(`floor, round ${round}`, floorRuns.at(-1)!));
    deputy = startDeputy(databaseUrl, "100000");
    await waitForServer(`${DEPUTY}/api/v1/viewer`, deputy);
    deputyRuns.push(await load(`${DEPUTY}/api/v1/viewer`, valid, deputy));
    lines.push(row(`deputy, valid keys, round ${round}`, deputyRuns.at(-1)!));
    if (round === ROUNDS) {
      lines.push(
        row(
          "deputy, 100% garbage keys",
          await load(`${DEPUTY}/api/v1/viewer`, garbage(ROTATING_KEYS), deputy),
        ),
      );
    }
    await stop(deputy);
  }
  // Rule 24: the same keys, restricted (read only, one project, two address ranges). The checks
  // run from the credential cache: no extra database read.
  await restrictAllKeys(databaseUrl);
  const restrictedRuns: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    // The floor again, on the database as it is now, beside each restricted run.
    const floor = startFloor(databaseUrl);
    await waitForServer(`${FLOOR}/`, floor);
    floorRuns.push(await load(`${FLOOR}/api/v1/viewer`, valid, floor));
    await stop(floor);
    lines.push(row(`floor, restricted round ${round}`, floorRuns.at(-1)!));
    deputy = startDeputy(databaseUrl, "100000");
    await waitForServer(`${DEPUTY}/api/v1/viewer`, deputy);
    restrictedRuns.push(await load(`${DEPUTY}/api/v1/viewer`, valid, deputy));
    lines.push(row(`deputy, restricted keys, round ${round}`, restrictedRuns.at(-1)!));
    await stop(deputy);
  }

  deputy = startDeputy(databaseUrl, "30");
  await waitForServer(`${DEPUTY}/api/v1/viewer`, deputy);
  for (let i = 0; i < 31; i++)
    await fetch(`${DEPUTY}/api/v1/viewer`, { headers: { authorization: "Bearer garbage" } });
  lines.push(
    row(
      "deputy, valid keys, address past the failure limit (429)",
      await load(`${DEPUTY}/api/v1/viewer`, valid, deputy),
    ),
  );
  await stop(deputy);

  const medianOf = (runs: Result[]): Result => ({
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuUs: median(runs.map((r) => r.cpuUs ?? Number.NaN)),
    requests: 0,
    statuses: `median of ${runs.length}`,
  });
  const floorMedian = medianOf(floorRuns);
  const deputyMedian = medianOf(deputyRuns);
  const restrictedMedian = medianOf(restrictedRuns);
  const header = `${"run".padEnd(58)}${"req/s".padStart(9)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}${"CPU µs".padStart(8)}  answers`;
  summary.push(
    `\n[${engine}] GET /api/v1/viewer, ${LOADER}, ${CONNECTIONS} connections, ${DURATION_S} s per run, same machine`,
    header,
    ...lines,
    row(`floor (${engine === "postgresql" ? "node:http + pg" : "node:http + better-sqlite3"})`, floorMedian),
    row("deputy, valid keys", deputyMedian),
    row("deputy, restricted keys", restrictedMedian),
    `Deputy / floor (medians): ${(deputyMedian.rps / floorMedian.rps).toFixed(2)}×, restricted keys ${(restrictedMedian.rps / floorMedian.rps).toFixed(2)}×  (goal ≥ ${engine === "postgresql" ? "0.8" : "0.9"}×)`,
    `Server CPU per request (medians): floor ${floorMedian.cpuUs!.toFixed(0)} µs, Deputy ${deputyMedian.cpuUs!.toFixed(0)} µs (${(floorMedian.cpuUs! / deputyMedian.cpuUs!).toFixed(2)}×), restricted ${restrictedMedian.cpuUs!.toFixed(0)} µs`,
    `A key revoked by another process was refused after ${revokedAfterMs.toFixed(0)} ms${engine === "postgresql" ? " (UPDATE + NOTIFY)" : " (the 1-second cache TTL)"}.`,
  );
}
console.log(summary.join("\n"));

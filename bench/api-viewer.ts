// Benchmark (not a test): authenticated GET /api/v1/viewer on the production server, side by side
// with the floor (bench/floor-server.ts) on the same database. Both servers stay up for the whole
// run, warm, and the load alternates between them in many short slices; each slice of Deputy is
// divided by the floor's slice beside it, so the machine's drift from one second to the next
// falls on both sides of each ratio, and the bench reports the median ratio and its spread.
//   npm run bench                          SQLite, autocannon
//   BENCH_LOADER=wrk npm run bench         wrk (Debian's package) as the load generator: it costs
//                                          the client far less CPU than autocannon on 2 cores
//   BENCH_DATABASE_URL=postgresql://… BENCH_ENGINES=sqlite,postgresql npm run bench
// BENCH_PAIRS (default 30) floor/Deputy pairs of BENCH_SLICE seconds (default 1) each, in
// alternating order, after BENCH_WARMUP seconds (default 5) of the same load on each server that
// are not measured; 50 connections, rotating through 1,000 of 100,000 seeded keys. The same again
// with every key restricted (rule 24). Then, once each: 100% garbage keys, and valid keys from an
// address past the failure limit (all 429). First of all, how long a key revoked by another
// process keeps working (on a fresh server, before any failure is counted).
// With taskset and at least 2 cores (BENCH_PIN=0 turns it off), both servers run on core 0 and the
// load generator on the others: each server has the same one core, and the loader never takes it.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
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
const SLICE_S = Number(process.env.BENCH_SLICE ?? 1);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 5);
const LOADER = process.env.BENCH_LOADER === "wrk" ? "wrk" : "autocannon";
if (LOADER === "wrk") {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
  } catch (error) {
    // wrk --version exits 1 after printing; only a missing binary is a problem.
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      console.error("BENCH_LOADER=wrk needs wrk on the PATH: apt-get install wrk (Debian's package).");
      process.exit(2);
    }
  }
}
const DEPUTY = "http://127.0.0.1:3500";
const FLOOR = "http://127.0.0.1:3501";

/** Core 0 for the servers, the rest for the load generator (this process and the wrk it spawns). */
function pinning(): { server: string[]; loaderCores: number } | undefined {
  const cores = os.availableParallelism();
  if (process.env.BENCH_PIN === "0" || cores < 2) return undefined;
  try {
    execFileSync("taskset", ["-a", "-p", "-c", `1-${cores - 1}`, String(process.pid)], { stdio: "ignore" });
  } catch {
    return undefined; // no taskset here
  }
  return { server: ["taskset", "-c", "0"], loaderCores: cores - 1 };
}
const PIN = pinning();

// Servers this run started: killed however the run ends, so that a crash cannot leave one
// answering on the bench's port for the next run to measure by mistake.
const servers = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of servers) if (child.exitCode === null) child.kill("SIGKILL");
});

/** Refuses to start when something already listens on a bench port (a server of another run). */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => {
      console.error(`Port ${port} is in use (a server left by another run?): stop it and run again.`);
      process.exit(2);
    });
    probe.listen(port, () => probe.close(() => resolve()));
  });
}

/** A server process, on the servers' core when pinned (taskset execs it: same pid). */
function spawnServer(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const [command, ...rest] = PIN ? [...PIN.server, process.execPath, ...args] : [process.execPath, ...args];
  const child = spawn(command!, rest, { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  servers.add(child);
  child.once("exit", () => servers.delete(child));
  return child;
}

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

// BENCH_DEPUTY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles Deputy's servers (Node
// refuses --cpu-prof in NODE_OPTIONS); the profile is written when the bench stops the server.
const DEPUTY_NODE_ARGS = (process.env.BENCH_DEPUTY_NODE_ARGS ?? "").split(" ").filter(Boolean);

function startDeputy(databaseUrl: string, failLimit: string): ChildProcess {
  return spawnServer([...DEPUTY_NODE_ARGS, "--import", "tsx", "scripts/start.ts"], {
    ...process.env,
    PORT: "3500",
    DATABASE_URL: databaseUrl,
    DEPUTY_AUTH_FAIL_LIMIT: failLimit,
  });
}

function startFloor(databaseUrl: string): ChildProcess {
  return spawnServer(["--import", "tsx", "bench/floor-server.ts", databaseUrl, "3501"]);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

async function loadWithAutocannon(url: string, tokens: string[], seconds = SLICE_S): Promise<Result> {
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

function loadWithWrk(url: string, tokens: string[], seconds = SLICE_S): Result {
  const keysFile = path.join(os.tmpdir(), `deputy-bench-keys-${process.pid}.txt`);
  fs.writeFileSync(keysFile, tokens.join("\n"));
  const out = execFileSync(
    "wrk",
    [
      `-t${PIN ? Math.min(2, PIN.loaderCores) : 2}`,
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
 * Loads `url` for one slice and measures, beside req/s, the server's CPU time per request: on two
 * shared cores req/s moves with whatever else the machine does, CPU per request much less.
 */
async function load(
  url: string,
  tokens: string[],
  server?: ChildProcess,
  seconds = SLICE_S,
): Promise<Result> {
  const before = cpuSeconds(server?.pid);
  const result =
    LOADER === "wrk" ? loadWithWrk(url, tokens, seconds) : await loadWithAutocannon(url, tokens, seconds);
  return { ...result, cpuUs: ((cpuSeconds(server?.pid) - before) * 1e6) / result.requests };
}

type Pairs = { floor: Result[]; deputy: Result[]; ratios: number[] };

/**
 * Both servers measured warm (a production server runs for days; a fresh one's first seconds of
 * JIT tiers and start-up garbage say nothing about them), then PAIRS pairs of slices, the order
 * alternating so that neither side always follows the other.
 */
async function pairs(
  floor: ChildProcess,
  deputy: ChildProcess,
  tokens: string[],
  name: string,
  lines: string[],
): Promise<Pairs> {
  const floorUrl = `${FLOOR}/api/v1/viewer`;
  const deputyUrl = `${DEPUTY}/api/v1/viewer`;
  if (WARMUP_S > 0) {
    await load(floorUrl, tokens, floor, WARMUP_S);
    await load(deputyUrl, tokens, deputy, WARMUP_S);
  }
  const out: Pairs = { floor: [], deputy: [], ratios: [] };
  for (let pair = 1; pair <= PAIRS; pair++) {
    let f: Result;
    let d: Result;
    if (pair % 2 === 1) {
      f = await load(floorUrl, tokens, floor);
      d = await load(deputyUrl, tokens, deputy);
    } else {
      d = await load(deputyUrl, tokens, deputy);
      f = await load(floorUrl, tokens, floor);
    }
    out.floor.push(f);
    out.deputy.push(d);
    out.ratios.push(d.rps / f.rps);
    lines.push(
      row(`floor, pair ${pair}`, f),
      row(`deputy, ${name}, pair ${pair}  (${(d.rps / f.rps).toFixed(2)}×)`, d),
    );
  }
  return out;
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

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
const median = (values: number[]) => sorted(values)[Math.floor(values.length / 2)]!;
/**
 * A distribution-free 95 % confidence interval for the median of `values`: the order statistics
 * j and n + 1 - j, with j the largest rank such that P(Binomial(n, ½) < j) ≤ 2.5 %.
 */
const medianInterval = (values: number[]) => {
  const s = sorted(values);
  const n = s.length;
  let below = 0; // P(Binomial(n, ½) < j), for j = 1, 2, …
  let choose = 1; // C(n, j - 1)
  let j = 0;
  while (j < n / 2) {
    const next = below + choose / 2 ** n;
    if (next > 0.025) break;
    below = next;
    choose = (choose * (n - j)) / (j + 1);
    j += 1;
  }
  return j === 0 ? ([s[0]!, s[n - 1]!] as const) : ([s[j - 1]!, s[n - j]!] as const);
};
const row = (name: string, r: Result) =>
  `${name.padEnd(58)}${r.rps.toFixed(0).padStart(9)}${r.p50.toFixed(1).padStart(8)}${r.p99.toFixed(1).padStart(8)}${(r.cpuUs ?? Number.NaN).toFixed(0).padStart(8)}  ${r.statuses}`;
const medianOf = (runs: Result[]): Result => ({
  rps: median(runs.map((r) => r.rps)),
  p50: median(runs.map((r) => r.p50)),
  p99: median(runs.map((r) => r.p99)),
  cpuUs: median(runs.map((r) => r.cpuUs ?? Number.NaN)),
  requests: 0,
  statuses: `median of ${runs.length}`,
});
const ratioLine = (name: string, p: Pairs) => {
  const [low, high] = medianInterval(p.ratios);
  const cpu = median(p.floor.map((r) => r.cpuUs!)) / median(p.deputy.map((r) => r.cpuUs!));
  return `  ${name.padEnd(16)} ${median(p.ratios).toFixed(2)}×  (95 % interval of the median of ${p.ratios.length} pairs ${low.toFixed(2)}–${high.toFixed(2)}×, all ${sorted(p.ratios)[0]!.toFixed(2)}–${sorted(p.ratios).at(-1)!.toFixed(2)}×; by CPU per request ${cpu.toFixed(2)}×)`;
};

const engines = (process.env.BENCH_ENGINES ?? "sqlite").split(",");
const summary: string[] = [];
await assertPortFree(3500);
await assertPortFree(3501);
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

  // Deputy first: it will not start on a SQLite file another process holds open.
  deputy = startDeputy(databaseUrl, "100000");
  await waitForServer(`${DEPUTY}/api/v1/viewer`, deputy);
  const floor = startFloor(databaseUrl);
  await waitForServer(`${FLOOR}/`, floor);
  const lines: string[] = [];
  const plain = await pairs(floor, deputy, valid, "valid keys", lines);
  // Rule 24: the same keys, restricted (read only, one project, two address ranges), under the
  // same two servers. The checks run from the credential cache: no extra database read.
  await restrictAllKeys(databaseUrl);
  const restricted = await pairs(floor, deputy, valid, "restricted keys", lines);
  lines.push(
    row("deputy, 100% garbage keys", await load(`${DEPUTY}/api/v1/viewer`, garbage(ROTATING_KEYS), deputy)),
  );
  await stop(floor);
  await stop(deputy);

  deputy = startDeputy(databaseUrl, "30");
  await waitForServer(`${DEPUTY}/api/v1/viewer`, deputy);
  for (let i = 0; i < 31; i++)
    await fetch(`${DEPUTY}/api/v1/viewer`, { headers: { authorization: "Bearer garbage" } });
  await load(`${DEPUTY}/api/v1/viewer`, valid, deputy, WARMUP_S);
  lines.push(
    row(
      "deputy, valid keys, address past the failure limit (429)",
      await load(`${DEPUTY}/api/v1/viewer`, valid, deputy),
    ),
  );
  await stop(deputy);

  const header = `${"run".padEnd(58)}${"req/s".padStart(9)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}${"CPU µs".padStart(8)}  answers`;
  const floorMedian = medianOf([...plain.floor, ...restricted.floor]);
  summary.push(
    `\n[${engine}] GET /api/v1/viewer, ${LOADER}, ${CONNECTIONS} connections, ${PAIRS} pairs of ${SLICE_S} s slices, ` +
      (PIN ? "servers pinned to core 0, load on the others" : "not pinned"),
    header,
    ...lines,
    row(`floor (${engine === "postgresql" ? "node:http + pg" : "node:http + better-sqlite3"})`, floorMedian),
    row("deputy, valid keys", medianOf(plain.deputy)),
    row("deputy, restricted keys", medianOf(restricted.deputy)),
    `Deputy / the floor slice beside it, median of the pairs (goal ≥ ${engine === "postgresql" ? "0.8" : "0.9"}×):`,
    ratioLine("valid keys", plain),
    ratioLine("restricted keys", restricted),
    `p99, medians: floor ${floorMedian.p99.toFixed(1)} ms, Deputy ${medianOf(plain.deputy).p99.toFixed(1)} ms, restricted ${medianOf(restricted.deputy).p99.toFixed(1)} ms (goal within 2× of the floor's)`,
    `A key revoked by another process was refused after ${revokedAfterMs.toFixed(0)} ms${engine === "postgresql" ? " (UPDATE + NOTIFY)" : " (the 1-second cache TTL)"}.`,
  );
}
console.log(summary.join("\n"));

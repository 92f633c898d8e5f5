// Benchmark (not a test): what the webhook outbox costs the write path, and how fast the worker
// drains it (rule 28).
//   npm run bench:webhooks                      (SQLite, about a minute)
//   BENCH_DATABASE_URL=postgresql://… npm run bench:webhooks
// One process, on a fresh database: BENCH_CHANGES (default 10,000) audited changes through the API
// (PATCH /api/v1/service-accounts/<id>, each a transaction with its audit event), 20 at a time,
// with one endpoint subscribed to every event while the worker sends to a local receiver, and as
// many with that endpoint disabled (the floor: the outbox's one lookup finds no active endpoint),
// in BENCH_ROUNDS (3) alternating rounds so that the machine's drift falls on both. Prints the
// write throughput of both (medians) side by side, their ratio (goal ≥ 0.8×), and the time until
// the last delivery is acknowledged.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import type { AddressInfo } from "node:net";

const CHANGES = Number(process.env.BENCH_CHANGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_ROUND = Math.ceil(CHANGES / ROUNDS);
const CONCURRENCY = 20;
const ROOT = path.resolve(import.meta.dirname, "..");
const DB_FILE = path.join(ROOT, "data", "bench-webhooks.db");
const pgUrl = process.env.BENCH_DATABASE_URL;

for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${DB_FILE}${suffix}`, { force: true });
process.env.DATABASE_URL = pgUrl ? pgUrl : `file:${DB_FILE}`;
process.env.DEPUTY_ALLOW_PRIVATE_WEBHOOKS = "1";

const { migrate } = await import("../scripts/lib");
const { parseConfig } = await import("../lib/config/env");
if (pgUrl) {
  // A fresh schema: drop what a previous run left.
  const pg = await import("pg");
  const client = new pg.default.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  await client.end();
}
await migrate(parseConfig({ DATABASE_URL: process.env.DATABASE_URL }));
const { db } = await import("../lib/db");
const { generateApiKey } = await import("../lib/keys/format");
const { mountApi } = await import("../lib/api/server");

// An org, a team, an org-scoped ADMIN account with a key, and the account the changes touch.
const org = await db.organization.create({ data: { slug: "bench", name: "Bench" } });
const team = await db.team.create({ data: { orgId: org.id, slug: "bench-team", name: "Bench" } });
const admin = await db.serviceAccount.create({
  data: { orgId: org.id, teamId: team.id, scope: "ORG", name: "bench-admin", role: "ADMIN" },
});
const key = generateApiKey();
await db.apiKey.create({
  data: {
    keyId: key.keyId,
    secretHash: key.secretHash,
    last4: key.last4,
    name: "bench",
    serviceAccountId: admin.id,
  },
});
const target = await db.serviceAccount.create({
  data: { orgId: org.id, teamId: team.id, scope: "TEAM", name: "bench-target" },
});

let acknowledged = 0;
let lastAckAt = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    acknowledged += 1;
    lastAckAt = performance.now();
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

const server = http.createServer();
const shutdown = mountApi(server, (_req, res) => res.writeHead(404).end(), {
  webhooks: { pollMs: 200, concurrency: 16 },
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function patch(i: number): Promise<number> {
  const body = JSON.stringify({ description: `change ${i}` });
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${base}/api/v1/service-accounts/${target.id}`,
      {
        method: "PATCH",
        agent,
        headers: { authorization: `Bearer ${key.token}`, "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function burst(label: string, offset: number): Promise<number> {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PER_ROUND) {
        const status = await patch(offset + next++);
        if (status !== 200) failed += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rate = PER_ROUND / seconds;
  console.log(
    `${label.padEnd(58)} ${Math.round(rate).toLocaleString("en-US").padStart(7)} changes/s${failed ? `  (${failed} not 200)` : ""}`,
  );
  return rate;
}

console.log(
  `${CHANGES.toLocaleString("en-US")} audited changes with and ${CHANGES.toLocaleString("en-US")} without an endpoint through the API, ${CONCURRENCY} at a time, in ${ROUNDS} alternating rounds, on ${pgUrl ? "PostgreSQL" : "SQLite"}`,
);
// Warm up (JIT, the credential cache, prepared statements) without an endpoint.
await Promise.all(Array.from({ length: 200 }, (_, i) => patch(-1 - i)));

const added = await fetch(`${base}/api/v1/webhooks`, {
  method: "POST",
  headers: { authorization: `Bearer ${key.token}`, "content-type": "application/json" },
  body: JSON.stringify({ url: receiverUrl }),
});
if (added.status !== 201)
  throw new Error(`Could not add the endpoint: ${added.status} ${await added.text()}`);
const endpointId = ((await added.json()) as { webhook: { id: string } }).webhook.id;
async function setEndpoint(status: "active" | "disabled") {
  const answer = await fetch(`${base}/api/v1/webhooks/${endpointId}`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${key.token}`, "content-type": "application/json" },
    body: JSON.stringify({ status }),
  });
  if (answer.status !== 200) throw new Error(`Could not set the endpoint ${status}: ${answer.status}`);
}

// Alternating rounds, so that whatever else the machine does falls on both: the floor with the
// endpoint disabled (the outbox's lookup finds no active endpoint), then the same number of
// changes with it enabled and the worker delivering.
const floors: number[] = [];
const outboxes: number[] = [];
let expected = 0;
let writesDone = 0;
let outboxSeconds = 0;
for (let round = 1; round <= ROUNDS; round++) {
  await setEndpoint("disabled");
  floors.push(
    await burst(`floor, round ${round}: endpoint disabled (the lookup finds none)`, round * 2 * PER_ROUND),
  );
  await setEndpoint("active");
  const before = await db.webhookDelivery.count();
  const started = performance.now();
  outboxes.push(
    await burst(
      `outbox, round ${round}: one endpoint subscribed to every event`,
      (round * 2 + 1) * PER_ROUND,
    ),
  );
  writesDone = performance.now();
  outboxSeconds += (writesDone - started) / 1000;
  expected += (await db.webhookDelivery.count()) - before;
}
const floor = median(floors);
const withOutbox = median(outboxes);
const drainStarted = performance.now();
while (acknowledged < expected) {
  if (performance.now() - drainStarted > 600_000)
    throw new Error(`Only ${acknowledged} of ${expected} delivered in 10 min`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log(
  `${"floor (median)".padEnd(58)} ${Math.round(floor).toLocaleString("en-US").padStart(7)} changes/s`,
);
console.log(
  `${"outbox (median)".padEnd(58)} ${Math.round(withOutbox).toLocaleString("en-US").padStart(7)} changes/s`,
);
const ratio = withOutbox / floor;
const roundRatios = outboxes.map((rate, i) => rate / floors[i]!);
console.log(
  `${"outbox / floor".padEnd(58)} ${ratio.toFixed(2).padStart(7)}×  (goal ≥ 0.80×; round by round ${roundRatios.map((r) => `${r.toFixed(2)}×`).join(", ")}, median ${median(roundRatios).toFixed(2)}×)`,
);
const afterWrites = Math.max(0, lastAckAt - writesDone) / 1000;
console.log(
  `${`${expected.toLocaleString("en-US")} deliveries acknowledged`.padEnd(58)} ${afterWrites.toFixed(1).padStart(7)} s after the last write  (${Math.round(
    expected / (outboxSeconds + afterWrites),
  ).toLocaleString("en-US")} deliveries/s while writing and after)`,
);
await shutdown();
server.close();
receiver.close();
agent.destroy();
await db.$disconnect();
process.exit(0);

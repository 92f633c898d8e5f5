// Benchmark (not a test): what the queued SQLite data layer costs on the write path.
//   npx tsx bench/write-path.ts      (about 20 s)
// One run writes runs shaped like POST /api/v1/runs (three indexed reads, one insert) and prints
// runs/s side by side for:
//   floor   — better-sqlite3 directly, synchronous, no ORM (what the disk and SQLite allow);
//   before  — Prisma on the plain adapter, no transaction (the unsafe shape this replaced);
//   queued  — Prisma on the queued adapter, no transaction: createRun into an existing project
//             (the cost of the queue alone);
//   tx      — Prisma on the queued adapter, reads and insert in one transaction: the shape of
//             createRun when it must create the project (once per project).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../lib/generated/prisma/client";
import { parseConfig } from "../lib/config/env";
import { SQLITE_CONNECTION_SETUP, createPrismaClient } from "../lib/db";
import { ROOT, migrate } from "../scripts/lib";

const WRITES = Number(process.env.BENCH_WRITES ?? 3000);
const CONCURRENCY = 50;
const DB_FILE = path.join(ROOT, "data", "bench-writes.db");

async function seed(): Promise<void> {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${DB_FILE}${suffix}`, { force: true });
  await migrate(parseConfig({ DATABASE_URL: `file:${DB_FILE}` }));
  const db = new Database(DB_FILE);
  const now = new Date().toISOString();
  db.prepare(
    `INSERT INTO "Organization" (id, slug, name, seatLimit, createdAt, updatedAt) VALUES ('org', 'bench', 'Bench', 10, ?, ?)`,
  ).run(now, now);
  db.prepare(
    `INSERT INTO "Team" (id, orgId, slug, name, createdAt, updatedAt) VALUES ('team', 'org', 'bench-team', 'Bench', ?, ?)`,
  ).run(now, now);
  db.prepare(
    `INSERT INTO "Project" (id, teamId, name, visibility, createdAt, updatedAt) VALUES ('project', 'team', 'bench', 'TEAM', ?, ?)`,
  ).run(now, now);
  db.close();
}

type Client = PrismaClient | Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

async function runShapedWrite(client: Client, i: number): Promise<void> {
  await client.team.findUnique({ where: { slug: "bench-team" }, select: { id: true } });
  await client.project.findUnique({
    where: { teamId_name: { teamId: "team", name: "bench" } },
    select: { id: true },
  });
  await client.teamMembership.findMany({ where: { teamId: "team" }, select: { id: true } });
  await client.run.create({
    data: {
      projectId: "project",
      name: `run-${i}`,
      createdByType: "SERVICE_ACCOUNT",
      createdById: "sa",
      createdByIdentity: "sa@bench.sa.deputy.local",
    },
    select: { id: true },
  });
}

async function measure(label: string, write: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < WRITES) await write(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = WRITES / seconds;
  console.log(`${label.padEnd(64)} ${Math.round(rate).toLocaleString("en-US").padStart(8)} runs/s`);
  return rate;
}

await seed();
const url = `file:${DB_FILE}`;

const raw = new Database(DB_FILE);
raw.exec(SQLITE_CONNECTION_SETUP);
const selects = [
  raw.prepare(`SELECT id FROM "Team" WHERE slug = ?`),
  raw.prepare(`SELECT id FROM "Project" WHERE teamId = ? AND name = ?`),
  raw.prepare(`SELECT id FROM "TeamMembership" WHERE teamId = ?`),
];
const insert = raw.prepare(
  `INSERT INTO "Run" (id, projectId, name, config, summary, createdByType, createdById, createdByIdentity, createdAt) VALUES (?, 'project', ?, '{}', '{}', 'SERVICE_ACCOUNT', 'sa', 'sa@bench', ?)`,
);
const floor = await measure("floor: better-sqlite3, no ORM", async (i) => {
  selects[0]!.get("bench-team");
  selects[1]!.get("team", "bench");
  selects[2]!.all("team");
  insert.run(crypto.randomUUID(), `floor-${i}`, new Date().toISOString());
});
raw.close();

const plain = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
const before = await measure("before: Prisma, plain adapter, no transaction (unsafe)", (i) =>
  runShapedWrite(plain, i),
);
await plain.$disconnect();

const queuedClient = createPrismaClient(url);
const queued = await measure("queued: Prisma, queued adapter (createRun, existing project)", (i) =>
  runShapedWrite(queuedClient, i),
);
const after = await measure("tx: Prisma, queued adapter, one transaction (createRun, new project)", (i) =>
  queuedClient.$transaction((tx) => runShapedWrite(tx, i)),
);
await queuedClient.$disconnect();

console.log(
  `\nratios to the floor: before ${(before / floor).toFixed(2)}x, queued ${(queued / floor).toFixed(2)}x, tx ${(after / floor).toFixed(2)}x; queued/before ${(queued / before).toFixed(2)}x`,
);

// Benchmark (not a test): the console's pages at the scale a large team reaches, on each engine.
//   npm run bench:scale                       SQLite, and PostgreSQL when BENCH_DATABASE_URL is set
//   BENCH_ENGINES=postgresql npm run bench:scale
// Seeds the demo organization plus 100,000 service accounts (10,000 in ml-team), 1,000,000 API
// keys and 1,000,000 audit events with bulk inserts, starts the production server on it, signs in
// as the org admin and times each page (server time as seen over loopback: request to last byte),
// 3 warm-ups then BENCH_SAMPLES samples (default 30), and prints p50 and p95 per page.
// BENCH_DATABASE_URL names a PostgreSQL server and a role that may create databases.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { createPrismaClient } from "../lib/db";
import { parseConfig } from "../lib/config/env";
import { seedDemo, DEMO_PASSWORD } from "../lib/seed/demo";
import { ROOT, migrate } from "../scripts/lib";
import { freshBenchDatabase, waitForServer } from "./support";
import { serverActionIds } from "../e2e/support/attack";

const ACCOUNTS = 100_000;
const ML_TEAM_ACCOUNTS = 10_000;
const KEYS_PER_ACCOUNT = 10;
const AUDIT_EVENTS = 1_000_000;
const OTHER_TEAMS = 90;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 30);
const PORT = 3600;
const BATCH = 5_000;

type Row = unknown[];
type Table = { name: string; columns: string[]; pgTypes: string[] };

const TABLES = {
  team: {
    name: "Team",
    columns: ["id", "orgId", "slug", "name", "createdAt", "updatedAt"],
    pgTypes: ["text", "text", "text", "text", "timestamp", "timestamp"],
  },
  account: {
    name: "ServiceAccount",
    columns: [
      "id",
      "orgId",
      "scope",
      "teamId",
      "name",
      "description",
      "createdAt",
      "updatedAt",
      "status",
      "authMethod",
      "lastUsedAt",
    ],
    pgTypes: [
      "text",
      "text",
      '"ServiceAccountScope"',
      "text",
      "text",
      "text",
      "timestamp",
      "timestamp",
      '"ServiceAccountStatus"',
      '"AuthMethod"',
      "timestamp",
    ],
  },
  key: {
    name: "ApiKey",
    columns: ["id", "keyId", "secretHash", "last4", "name", "serviceAccountId", "createdAt", "lastUsedAt"],
    pgTypes: ["text", "text", "text", "text", "text", "text", "timestamp", "timestamp"],
  },
  audit: {
    name: "AuditEvent",
    columns: [
      "id",
      "orgId",
      "createdAt",
      "actorType",
      "actorId",
      "actorIdentity",
      "action",
      "targetType",
      "targetId",
      "targetName",
    ],
    pgTypes: ["text", "text", "timestamp", '"ActorType"', "text", "text", "text", "text", "text", "text"],
  },
} satisfies Record<string, Table>;

/** Writes rows in batches: one transaction of prepared inserts (SQLite) or unnest() inserts (PostgreSQL). */
type Writer = { insert(table: Table, rows: Row[]): Promise<void>; close(): Promise<void> };

function sqliteWriter(file: string): Writer {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF"); // seeding only; the server runs with FULL
  return {
    async insert(table, rows) {
      const statement = db.prepare(
        `INSERT INTO "${table.name}" (${table.columns.map((c) => `"${c}"`).join(", ")}) VALUES (${table.columns.map(() => "?").join(", ")})`,
      );
      db.transaction(() => {
        for (const row of rows) statement.run(...row.map((v) => (v instanceof Date ? v.toISOString() : v)));
      })();
    },
    async close() {
      db.close();
    },
  };
}

async function postgresWriter(url: string): Promise<Writer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async insert(table, rows) {
      const columns = table.columns.map((_, i) => rows.map((row) => row[i] ?? null));
      const unnest = table.pgTypes.map(
        (type, i) => `$${i + 1}::${type === "timestamp" ? "timestamp(3)" : type}[]`,
      );
      await client.query(
        `INSERT INTO "${table.name}" (${table.columns.map((c) => `"${c}"`).join(", ")}) SELECT * FROM unnest(${unnest.join(", ")})`,
        columns,
      );
    },
    async close() {
      await client.end();
    },
  };
}

async function inBatches(writer: Writer, table: Table, total: number, make: (i: number) => Row) {
  for (let start = 0; start < total; start += BATCH) {
    const rows: Row[] = [];
    for (let i = start; i < Math.min(total, start + BATCH); i++) rows.push(make(i));
    await writer.insert(table, rows);
  }
}

async function seed(engine: string, databaseUrl: string): Promise<{ seconds: number; accountName: string }> {
  const started = Date.now();
  await migrate(parseConfig({ DATABASE_URL: databaseUrl }));
  const prisma = createPrismaClient(databaseUrl);
  await seedDemo(prisma);
  const acme = await prisma.organization.findUniqueOrThrow({ where: { slug: "acme" }, select: { id: true } });
  const mlTeam = await prisma.team.findUniqueOrThrow({ where: { slug: "ml-team" }, select: { id: true } });
  const admin = await prisma.user.findUniqueOrThrow({
    where: { email: "org-admin@acme.test" },
    select: { id: true },
  });
  await prisma.$disconnect();

  const writer =
    engine === "postgresql" ? await postgresWriter(databaseUrl) : sqliteWriter(databaseUrl.slice(5));
  const now = Date.now();
  const day = 86_400_000;
  const teamIds = [mlTeam.id];
  // Key i was last used (i % 200) days ago, or never when i % 3 === 0; an account's last use is
  // its keys' latest, as the last-used batch keeps it.
  const keyLastUsed = (i: number) => (i % 3 === 0 ? null : now - (i % 200) * day);
  const accountLastUsed = (a: number) => {
    let latest: number | null = null;
    for (let i = a * KEYS_PER_ACCOUNT; i < (a + 1) * KEYS_PER_ACCOUNT; i++) {
      const used = keyLastUsed(i);
      if (used !== null && (latest === null || used > latest)) latest = used;
    }
    return latest === null ? null : new Date(latest);
  };
  await inBatches(writer, TABLES.team, OTHER_TEAMS, (i) => {
    teamIds.push(`scale-team-${i}`);
    return [`scale-team-${i}`, acme.id, `scale-team-${i}`, `Scale team ${i}`, new Date(now), new Date(now)];
  });
  // 10,000 in ml-team (all team-scoped), the rest spread over the other teams, one in ten org-scoped.
  const teamOf = (i: number) => (i < ML_TEAM_ACCOUNTS ? mlTeam.id : teamIds[1 + (i % OTHER_TEAMS)]!);
  await inBatches(writer, TABLES.account, ACCOUNTS, (i) => [
    `scale-sa-${i}`,
    acme.id,
    i >= ML_TEAM_ACCOUNTS && i % 10 === 0 ? "ORG" : "TEAM",
    teamOf(i),
    `job-${String(i).padStart(6, "0")}-${["train", "eval", "deploy", "etl"][i % 4]}`,
    "Created by the scale benchmark",
    new Date(now - (i % 400) * day),
    new Date(now),
    i % 7 === 0 ? "DISABLED" : "ACTIVE",
    i % 5 === 0 ? "FEDERATED" : "API_KEY",
    accountLastUsed(i),
  ]);
  await inBatches(writer, TABLES.key, ACCOUNTS * KEYS_PER_ACCOUNT, (i) => [
    `scale-key-${i}`,
    crypto.randomBytes(6).toString("base64url"),
    crypto.randomBytes(32).toString("hex"),
    "abcd",
    `key-${i % KEYS_PER_ACCOUNT}`,
    `scale-sa-${Math.floor(i / KEYS_PER_ACCOUNT)}`,
    new Date(now - (i % 300) * day),
    keyLastUsed(i) === null ? null : new Date(keyLastUsed(i)!),
  ]);
  await inBatches(writer, TABLES.audit, AUDIT_EVENTS, (i) => {
    const account = i % ACCOUNTS;
    return [
      `scale-event-${i}`,
      acme.id,
      new Date(now - (AUDIT_EVENTS - i) * 1000),
      i % 2 === 0 ? "USER" : "SERVICE_ACCOUNT",
      i % 2 === 0 ? admin.id : `scale-sa-${account}`,
      i % 2 === 0 ? "org-admin@acme.test" : `job-${account}@acme.sa.deputy.local`,
      ["service_account.created", "api_key.created", "api_key.revoked", "project.created"][i % 4],
      "service_account",
      `scale-sa-${account}`,
      `job-${account}@acme.sa.deputy.local`,
    ];
  });
  await writer.close();
  if (engine === "postgresql") {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query("ANALYZE");
    await client.end();
  } else {
    const db = new Database(databaseUrl.slice(5));
    db.exec("ANALYZE");
    db.close();
  }
  return { seconds: (Date.now() - started) / 1000, accountName: "job-000042-deploy" };
}

/** Signs in through next-auth's credentials endpoint; returns the session cookie header. */
async function signIn(base: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({
      email: "org-admin@acme.test",
      password: DEMO_PASSWORD,
      csrfToken,
      json: "true",
    }),
  });
  const session = response.headers.getSetCookie().find((c) => c.includes("session-token"));
  if (!session) throw new Error(`sign-in failed: ${response.status}`);
  return [...cookies, session.split(";")[0]].join("; ");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

type Probe = { path: string; action?: { name: string; args: unknown[] } };

/** A page load, or the server action the tab calls when a filter or the search changes. */
async function timeProbe(base: string, cookie: string, probe: Probe, actionIds: Record<string, string>) {
  const once = async () => {
    const started = performance.now();
    const response = probe.action
      ? await fetch(`${base}${probe.path}`, {
          method: "POST",
          headers: {
            cookie,
            "next-action": actionIds[probe.action.name]!,
            "content-type": "text/plain;charset=UTF-8",
            accept: "text/x-component",
            origin: base,
          },
          body: JSON.stringify(probe.action.args),
        })
      : await fetch(`${base}${probe.path}`, { headers: { cookie }, redirect: "manual" });
    const body = await response.text();
    if (response.status !== 200 || (probe.action && !body.includes('"ok":true'))) {
      throw new Error(`${probe.path} answered ${response.status}: ${body.slice(0, 200)}`);
    }
    return { ms: performance.now() - started, bytes: body.length };
  };
  for (let i = 0; i < 3; i++) await once();
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const sample = await once();
    samples.push(sample.ms);
    bytes = sample.bytes;
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), bytes };
}

const list = (path: string, place: object, filters: object): Probe => ({
  path,
  action: { name: "listServiceAccountsAction", args: [place, filters] },
});
const ORG = { orgSlug: "acme" };
const TEAM = { teamSlug: "ml-team" };
const TODAY = new Date().toISOString().slice(0, 10);

const PROBES = (accountName: string): [string, Probe][] => [
  ["Org SA tab, first page (page load)", { path: "/org/acme/service-accounts" }],
  ["Org SA tab, search", list("/org/acme/service-accounts", ORG, { q: "042" })],
  ["Org SA tab, scope=org", list("/org/acme/service-accounts", ORG, { scope: "org" })],
  ["Org SA tab, status=disabled", list("/org/acme/service-accounts", ORG, { status: "disabled" })],
  ["Org SA tab, auth=federated", list("/org/acme/service-accounts", ORG, { authMethod: "federated" })],
  ["Org SA tab, unused 90 days", list("/org/acme/service-accounts", ORG, { unused: true })],
  ["Org SA tab, page 2,000", list("/org/acme/service-accounts", ORG, { page: 2000 })],
  ["Team SA tab (10,000), first page", { path: "/ml-team/service-accounts" }],
  ["Team SA tab, search", list("/ml-team/service-accounts", TEAM, { q: "042" })],
  ["Team SA tab, status=disabled", list("/ml-team/service-accounts", TEAM, { status: "disabled" })],
  ["Team SA tab, auth=federated", list("/ml-team/service-accounts", TEAM, { authMethod: "federated" })],
  ["Team SA tab, unused 90 days", list("/ml-team/service-accounts", TEAM, { unused: true })],
  ["Account detail page", { path: `/ml-team/service-accounts/${accountName}` }],
  ["Projects page", { path: "/ml-team/settings/projects" }],
  ["Audit log", { path: "/org/acme/audit-log" }],
  ["Audit log, service accounts only", { path: "/org/acme/audit-log?actorType=service_account" }],
  ["Audit log, action api_key.revoked", { path: "/org/acme/audit-log?action=api_key.revoked" }],
  ["Audit log, one day", { path: `/org/acme/audit-log?from=${TODAY}&to=${TODAY}` }],
  ["Audit log, search one account", { path: "/org/acme/audit-log?q=job-4242%40" }],
];

const engines = (
  process.env.BENCH_ENGINES ?? (process.env.BENCH_DATABASE_URL ? "sqlite,postgresql" : "sqlite")
).split(",");
const results: { engine: string; page: string; p50: number; p95: number; bytes: number }[] = [];
for (const engine of engines) {
  const databaseUrl = await freshBenchDatabase(
    engine,
    engine === "postgresql" ? "bench_scale" : "bench-scale",
  );
  console.log(`\n[${engine}] seeding…`);
  const seeded = await seed(engine, databaseUrl);
  console.log(`[${engine}] seeded in ${seeded.seconds.toFixed(0)} s`);
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(PORT),
      DATABASE_URL: databaseUrl,
      DEPUTY_PUBLIC_URL: `http://127.0.0.1:${PORT}`,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${PORT}`;
  try {
    await waitForServer(`${base}/login`, server);
    const cookie = await signIn(base);
    const actionIds = serverActionIds();
    for (const [page, probe] of PROBES(seeded.accountName)) {
      const timing = await timeProbe(base, cookie, probe, actionIds);
      results.push({ engine, page, ...timing });
      console.log(
        `[${engine}] ${page.padEnd(36)} p50 ${timing.p50.toFixed(1).padStart(7)} ms  p95 ${timing.p95.toFixed(1).padStart(7)} ms  ${(timing.bytes / 1024).toFixed(0)} KB`,
      );
    }
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
  }
}

console.log(
  `\nPages at scale (100,000 accounts, 1,000,000 keys, 1,000,000 audit events), ${SAMPLES} samples each`,
);
console.log(
  `${"engine".padEnd(11)} ${"page".padEnd(36)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)}  goal p95 ≤ 100 ms`,
);
for (const r of results) {
  console.log(
    `${r.engine.padEnd(11)} ${r.page.padEnd(36)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}  ${r.p95 <= 100 ? "ok" : "OVER"}`,
  );
}

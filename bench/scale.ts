// Benchmark (not a test): the console's pages at the scale a large team reaches, on each engine.
//   npm run bench:scale                       SQLite, and PostgreSQL when BENCH_DATABASE_URL is set
//   BENCH_ENGINES=postgresql npm run bench:scale
// In three stages on one database, each timed the same way: the demo organization alone (the
// floor: the same pages on an org with nothing in it), then 10,000 service accounts (all in
// ml-team), 100,000 API keys and 100,000 audit events, then 100,000 accounts (10,000 in
// ml-team), 1,000,000 keys and 1,000,000 audit events — bulk inserts, then the production
// server, signed in as the org admin, times each page (server time as seen over loopback:
// request to last byte), 3 warm-ups then BENCH_SAMPLES samples (default 30). It prints p50 and
// p95 per page and stage side by side, and the ratio of the largest stage to the middle one.
// Goal: p95 ≤ 100 ms everywhere, and 1M within 1.5× of 100k.
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

const ML_TEAM_ACCOUNTS = 10_000;
const KEYS_PER_ACCOUNT = 10;
/** The stages: accounts and audit events the org holds when its pages are timed. */
const STAGES = [
  { label: "empty org", accounts: 0, events: 0 },
  { label: "10k / 100k", accounts: 10_000, events: 100_000 },
  { label: "100k / 1M", accounts: 100_000, events: 1_000_000 },
];
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

/** Rows `from` ≤ i < `to`, in batches. */
async function inBatches(writer: Writer, table: Table, from: number, to: number, make: (i: number) => Row) {
  for (let start = from; start < to; start += BATCH) {
    const rows: Row[] = [];
    for (let i = start; i < Math.min(to, start + BATCH); i++) rows.push(make(i));
    await writer.insert(table, rows);
  }
}

type Seeded = { acme: string; mlTeam: string; admin: string; accounts: number; events: number };

/** The demo organization, and the ids the scale rows refer to. */
async function seedDemoOrg(databaseUrl: string): Promise<Seeded> {
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
  return { acme: acme.id, mlTeam: mlTeam.id, admin: admin.id, accounts: 0, events: 0 };
}

/** Grows the org to `accounts` service accounts (and their keys) and `events` audit events. */
async function grow(
  engine: string,
  databaseUrl: string,
  seeded: Seeded,
  accounts: number,
  events: number,
): Promise<number> {
  const started = Date.now();
  const writer =
    engine === "postgresql" ? await postgresWriter(databaseUrl) : sqliteWriter(databaseUrl.slice(5));
  const now = Date.now();
  const day = 86_400_000;
  const teamIds = [seeded.mlTeam, ...Array.from({ length: OTHER_TEAMS }, (_, i) => `scale-team-${i}`)];
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
  if (seeded.accounts === 0 && accounts > 0) {
    await inBatches(writer, TABLES.team, 0, OTHER_TEAMS, (i) => [
      `scale-team-${i}`,
      seeded.acme,
      `scale-team-${i}`,
      `Scale team ${i}`,
      new Date(now),
      new Date(now),
    ]);
  }
  // The first 10,000 in ml-team (all team-scoped), the rest spread over the other teams, one in
  // ten org-scoped.
  const teamOf = (i: number) => (i < ML_TEAM_ACCOUNTS ? seeded.mlTeam : teamIds[1 + (i % OTHER_TEAMS)]!);
  await inBatches(writer, TABLES.account, seeded.accounts, accounts, (i) => [
    `scale-sa-${i}`,
    seeded.acme,
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
  await inBatches(
    writer,
    TABLES.key,
    seeded.accounts * KEYS_PER_ACCOUNT,
    accounts * KEYS_PER_ACCOUNT,
    (i) => [
      `scale-key-${i}`,
      crypto.randomBytes(6).toString("base64url"),
      crypto.randomBytes(32).toString("hex"),
      "abcd",
      `key-${i % KEYS_PER_ACCOUNT}`,
      `scale-sa-${Math.floor(i / KEYS_PER_ACCOUNT)}`,
      new Date(now - (i % 300) * day),
      keyLastUsed(i) === null ? null : new Date(keyLastUsed(i)!),
    ],
  );
  // Events of the accounts that exist; the newest last, a second apart.
  await inBatches(writer, TABLES.audit, seeded.events, events, (i) => {
    const account = i % accounts;
    return [
      `scale-event-${i}`,
      seeded.acme,
      new Date(now - (STAGES.at(-1)!.events - i) * 1000),
      i % 2 === 0 ? "USER" : "SERVICE_ACCOUNT",
      i % 2 === 0 ? seeded.admin : `scale-sa-${account}`,
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
  seeded.accounts = accounts;
  seeded.events = events;
  return (Date.now() - started) / 1000;
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

const ACCOUNT_PAGE = "Account detail page";
const engines = (
  process.env.BENCH_ENGINES ?? (process.env.BENCH_DATABASE_URL ? "sqlite,postgresql" : "sqlite")
).split(",");
const results: { engine: string; stage: string; page: string; p50: number; p95: number; bytes: number }[] =
  [];
for (const engine of engines) {
  const databaseUrl = await freshBenchDatabase(
    engine,
    engine === "postgresql" ? "bench_scale" : "bench-scale",
  );
  const seeded = await seedDemoOrg(databaseUrl);
  for (const stage of STAGES) {
    if (stage.accounts > 0) {
      console.log(`\n[${engine}] growing to ${stage.label} (accounts / audit events)…`);
      const seconds = await grow(engine, databaseUrl, seeded, stage.accounts, stage.events);
      console.log(`[${engine}] grown in ${seconds.toFixed(0)} s`);
    }
    const server = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(PORT),
        DATABASE_URL: databaseUrl,
        DEPUTY_PUBLIC_URL: `http://127.0.0.1:${PORT}`,
        DEPUTY_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const base = `http://127.0.0.1:${PORT}`;
    try {
      await waitForServer(`${base}/login`, server);
      const cookie = await signIn(base);
      const actionIds = serverActionIds();
      for (const [page, probe] of PROBES("job-000042-deploy")) {
        // The empty org has no such account.
        if (page === ACCOUNT_PAGE && stage.accounts === 0) continue;
        const timing = await timeProbe(base, cookie, probe, actionIds);
        results.push({ engine, stage: stage.label, page, ...timing });
        console.log(
          `[${engine}] [${stage.label}] ${page.padEnd(36)} p50 ${timing.p50.toFixed(1).padStart(7)} ms  p95 ${timing.p95.toFixed(1).padStart(7)} ms  ${(timing.bytes / 1024).toFixed(0)} KB`,
        );
      }
    } finally {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
    }
  }
}

const [floor, middle, largest] = STAGES.map((s) => s.label) as [string, string, string];
console.log(
  `\nPages at scale: p95 in ms (p50 in brackets), ${SAMPLES} samples each, stages "accounts / audit events"`,
);
console.log(
  `${"engine".padEnd(11)} ${"page".padEnd(36)} ${floor.padStart(16)} ${middle.padStart(16)} ${largest.padStart(16)}  ${"1M/100k".padStart(8)}  goal p95 ≤ 100 ms, ≤ 1.5×`,
);
for (const engine of engines) {
  for (const [page] of PROBES("")) {
    const at = (stage: string) =>
      results.find((r) => r.engine === engine && r.page === page && r.stage === stage);
    const cell = (stage: string) => {
      const r = at(stage);
      return (r ? `${r.p95.toFixed(1)} (${r.p50.toFixed(1)})` : "—").padStart(16);
    };
    const big = at(largest);
    const mid = at(middle);
    const ratio = big && mid ? big.p95 / mid.p95 : NaN;
    const verdict = big && big.p95 <= 100 && ratio <= 1.5 ? "ok" : "OVER";
    console.log(
      `${engine.padEnd(11)} ${page.padEnd(36)} ${cell(floor)} ${cell(middle)} ${cell(largest)}  ${`${ratio.toFixed(2)}×`.padStart(8)}  ${verdict}`,
    );
  }
}

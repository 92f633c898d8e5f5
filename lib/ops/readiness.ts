// Probes (rule 37): /healthz says the process serves; /readyz says it can do its work — the
// database answers and every migration this build ships is applied. An orchestrator probes these
// every few seconds and an anonymous caller may too, so a verdict is kept for one second: a flood
// of /readyz costs at most one query a second.
import fs from "node:fs";
import path from "node:path";
import { db } from "@/lib/db";
import { usesPostgres } from "@/lib/db/database-url";
import { Prisma } from "@/lib/generated/prisma/client";

const CHECK_TIMEOUT_MS = 2000;
const VERDICT_TTL_MS = 1000;

export type Readiness = { ready: true } | { ready: false; reason: string };

let expected: string[] | undefined;
/** The migrations this build ships (their folder names), read once. */
function expectedMigrations(): string[] {
  if (!expected) {
    const dir = path.join(process.cwd(), "prisma", ...(usesPostgres() ? ["postgresql"] : []), "migrations");
    expected = fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort()
      : [];
  }
  return expected;
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)),
      CHECK_TIMEOUT_MS,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function check(): Promise<Readiness> {
  let applied: { migration_name: string }[];
  try {
    applied = await withTimeout(
      db.$queryRaw<{ migration_name: string }[]>(
        Prisma.sql`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      ),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0]!.slice(0, 160) : "unknown error";
    return { ready: false, reason: `the database does not answer (${reason})` };
  }
  const done = new Set(applied.map((m) => m.migration_name));
  const missing = expectedMigrations().filter((name) => !done.has(name));
  if (missing.length > 0) {
    return { ready: false, reason: `${missing.length} migration(s) not applied, first ${missing[0]}` };
  }
  return { ready: true };
}

let cached: { at: number; verdict: Promise<Readiness> } | undefined;

export async function readiness(now = Date.now()): Promise<Readiness> {
  if (!cached || now - cached.at > VERDICT_TTL_MS) cached = { at: now, verdict: check() };
  return cached.verdict;
}

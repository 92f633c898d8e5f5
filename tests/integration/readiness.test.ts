// Probes (rule 37): /healthz while the process serves; /readyz only when the database answers and
// every migration is applied, else 503 with the reason — and the API answers 503, not 500, while
// the database is away. On PostgreSQL the database "stops" behind a TCP proxy the test cuts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { generateApiKey } from "@/lib/keys/format";
import { TEST_ENGINE } from "../support/engine";
import { startTcpProxy } from "../support/tcp-proxy";
import type { startApiServer as StartApiServer } from "../support/api-server";

// On PostgreSQL, this file's database is reached through a proxy (set before `db` is first used).
const proxy =
  TEST_ENGINE === "postgresql"
    ? await (async () => {
        const url = new URL(process.env.DATABASE_URL!);
        const tcp = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
        url.port = String(tcp.port);
        process.env.DATABASE_URL = url.href;
        delete (globalThis as { deputyDb?: unknown }).deputyDb;
        return tcp;
      })()
    : null;

const { startApiServer } = await import("../support/api-server");
let server: Awaited<ReturnType<typeof StartApiServer>>;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
  await proxy?.close();
});

async function probe(path: string) {
  const response = await fetch(`${server.base}${path}`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
}

/** Polls /readyz until it answers `status` (the verdict is kept for a second). */
async function readyzUntil(status: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await probe("/readyz");
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("probes", () => {
  it("/healthz answers 200 and /readyz 200 when the database answers and is migrated", async () => {
    expect(await probe("/healthz")).toEqual({ status: 200, body: { status: "ok" } });
    expect(await probe("/readyz")).toEqual({ status: 200, body: { status: "ready" } });
  });

  it("/readyz answers 503 naming a migration that is not applied, and 200 once it is", async () => {
    const [last] = await db.$queryRawUnsafe<{ id: string; migration_name: string }[]>(
      "SELECT id, migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1",
    );
    await db.$executeRawUnsafe(
      `UPDATE _prisma_migrations SET rolled_back_at = finished_at WHERE id = '${last!.id}'`,
    );
    try {
      const answer = await readyzUntil(503);
      expect(answer).toEqual({
        status: 503,
        body: { status: "unavailable", reason: `1 migration(s) not applied, first ${last!.migration_name}` },
      });
    } finally {
      await db.$executeRawUnsafe(
        `UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE id = '${last!.id}'`,
      );
    }
    expect((await readyzUntil(200)).status).toBe(200);
  });

  it.runIf(TEST_ENGINE === "postgresql")(
    "the database going away: /readyz 503 with the reason, the API 503 not 500, the process serves on; then back to 200",
    async () => {
      expect((await readyzUntil(200)).status).toBe(200);
      await proxy!.cut();
      try {
        const down = await readyzUntil(503);
        expect(down.status).toBe(503);
        expect(down.body.reason).toMatch(/^the database does not answer/);
        expect((await probe("/healthz")).status).toBe(200);
        const api = await fetch(`${server.base}/api/v1/viewer`, {
          headers: { authorization: `Bearer ${generateApiKey().token}` },
        });
        expect(api.status).toBe(503);
        expect(((await api.json()) as { error: { code: string } }).error.code).toBe("service_unavailable");
      } finally {
        await proxy!.restore();
      }
      expect((await readyzUntil(200)).status).toBe(200);
    },
  );
});

// Operating Deputy (rule 37, issue 20): the probes an orchestrator points at, and a graceful
// restart that loses nothing — a server of the test's own takes 40 authenticated requests, gets
// SIGTERM, and the key's usage for today is exactly 40 with its last use set, on both engines.
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";
import { freshE2eDatabase, sql } from "./support/database";
import { startOwnServer } from "./support/server";

test.describe("[OPS]", () => {
  test("[OPS][PROBES] /healthz and /readyz answer JSON without a session", async ({ request }) => {
    const health = await request.get("/healthz");
    expect(health.status()).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await request.get("/readyz");
    expect(ready.status()).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
    expect(ready.headers()["cache-control"]).toBe("no-store");
  });

  test("[OPS][RESTART] SIGTERM writes every usage count before exiting 0", async ({ page, request }) => {
    test.setTimeout(240_000);
    const name = "graceful";
    const databaseUrl = await freshE2eDatabase(name);
    let server = await startOwnServer({ port: 3109, databaseUrl, env: { DEPUTY_DEMO: "1" } });
    try {
      await signIn(page, "org-admin@acme.test", undefined, `${server.url}/login`);
      await page.goto(`${server.url}/ml-team/service-accounts`);
      const key = await newAccountWithKey(page, `restart-${unique()}`);
      const keyId = key.split("_")[1]!;
      for (let i = 0; i < 40; i++) {
        const answer = await request.get(`${server.url}/api/v1/viewer`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(answer.status()).toBe(200);
      }
      // Nothing was written yet (the batch is written once a minute): SIGTERM must write it.
      expect(
        await sql(
          name,
          `SELECT 1 FROM "ApiKeyUsageDay" u JOIN "ApiKey" k ON k."id" = u."apiKeyId" WHERE k."keyId" = $1`,
          [keyId],
        ),
      ).toEqual([]);
      await server.stop();
      expect(server.output()).toContain("Stopped.");
      expect(server.exitCode()).toBe(0);

      server = await startOwnServer({ port: 3109, databaseUrl });
      const rows = await sql<{ requests: number | string; lastUsedAt: unknown }>(
        name,
        `SELECT u."requests" AS "requests", k."lastUsedAt" AS "lastUsedAt" FROM "ApiKeyUsageDay" u JOIN "ApiKey" k ON k."id" = u."apiKeyId" WHERE k."keyId" = $1`,
        [keyId],
      );
      expect(rows.map((r) => Number(r.requests))).toEqual([40]);
      expect(rows[0]!.lastUsedAt).toBeTruthy();
    } finally {
      await server.stop();
    }
  });
});

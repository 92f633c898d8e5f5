// Several Deputy instances on one PostgreSQL database (behind a load balancer, say): they serve
// the same data, a session works on either, and a key revoked or an account disabled through one
// is refused by the other within 1 second.
import { expect, newAccountWithKey, signIn, test, unique } from "./fixtures";
import { E2E_ENGINE, freshE2eDatabase } from "./support/database";
import { startOwnServer, type OwnServer } from "./support/server";

/** Milliseconds until `url` answers `status` with this key, polling every 20 ms (at most 5 s). */
async function msUntilStatus(url: string, key: string, status: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 5_000) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    if (response.status === status) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Number.POSITIVE_INFINITY;
}

test.describe("[INSTANCES]", () => {
  test.skip(E2E_ENGINE !== "postgresql", "several instances share a PostgreSQL database");

  test("[INSTANCES] two servers on one database: shared data and sessions, revocation seen by the other within 1 s", async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const databaseUrl = await freshE2eDatabase("instances");
    const servers: OwnServer[] = [];
    try {
      servers.push(await startOwnServer({ port: 3104, databaseUrl, env: { DEPUTY_DEMO: "1" } }));
      servers.push(await startOwnServer({ port: 3105, databaseUrl }));
      const [a, b] = servers as [OwnServer, OwnServer];

      // A session made on A works on B (same AUTH_SECRET; cookies are per host, not per port).
      await signIn(page, "team-admin@acme.test", undefined, `${a.url}/login`);
      await page.goto(`${a.url}/ml-team/service-accounts`);
      const name = `two-instances-${unique()}`;
      const key = await newAccountWithKey(page, name);
      await page.goto(`${b.url}/ml-team/service-accounts`);
      await expect(page.getByRole("link", { name })).toBeVisible();

      // B has the key cached (it just answered 200 with it).
      const viewerOnB = `${b.url}/api/v1/viewer`;
      expect((await fetch(viewerOnB, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);

      // Disabled through A: refused by B within 1 s.
      await page.goto(`${a.url}/ml-team/service-accounts`);
      await page.getByRole("button", { name: `Actions for ${name}` }).click();
      await page.getByRole("menuitem", { name: "Disable" }).click();
      await expect(page.getByRole("row", { name: new RegExp(name) }).getByText("Disabled")).toBeVisible();
      const disabledAfter = await msUntilStatus(viewerOnB, key, 401);
      console.log(`Account disabled on A, refused by B after ${disabledAfter} ms`);
      expect(disabledAfter).toBeLessThan(1_000);

      // Enabled again through A: B accepts the key again.
      await page.getByRole("button", { name: `Actions for ${name}` }).click();
      await page.getByRole("menuitem", { name: "Enable" }).click();
      expect(await msUntilStatus(viewerOnB, key, 200)).toBeLessThan(1_000);

      // Rule 24: the key narrowed through A's API is held to it by B within 1 s, and freed again.
      await page.goto(`${a.url}/ml-team/service-accounts`);
      const adminKey = await newAccountWithKey(page, `two-instances-admin-${unique()}`, { role: "ADMIN" });
      const restrict = (allowedIps: string[] | null) =>
        fetch(`${a.url}/api/v1/service-accounts/${name}/keys/${key.slice(4, 16)}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
          body: JSON.stringify({ restrictions: { allowedIps } }),
        });
      expect((await restrict(["192.0.2.0/24"])).status).toBe(200);
      const narrowedAfter = await msUntilStatus(viewerOnB, key, 403);
      console.log(`Key narrowed on A, refused by B after ${narrowedAfter} ms`);
      expect(narrowedAfter).toBeLessThan(1_000);
      expect((await restrict(null)).status).toBe(200);
      expect(await msUntilStatus(viewerOnB, key, 200)).toBeLessThan(1_000);

      // The key revoked through A: refused by B within 1 s.
      await page.goto(`${a.url}/ml-team/service-accounts/${name}`);
      await page.getByRole("button", { name: "Revoke e2e" }).click();
      await page
        .getByRole("dialog", { name: "Revoke API key" })
        .getByRole("button", { name: "Revoke" })
        .click();
      const revokedAfter = await msUntilStatus(viewerOnB, key, 401);
      console.log(`Key revoked on A, refused by B after ${revokedAfter} ms`);
      expect(revokedAfter).toBeLessThan(1_000);
      const answer = (await (
        await fetch(viewerOnB, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as {
        error: { code: string };
      };
      expect(answer.error.code).toBe("revoked_credential");
    } finally {
      for (const server of servers) await server.stop();
    }
  });
});

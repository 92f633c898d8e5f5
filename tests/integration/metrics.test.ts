// GET /metrics (rule 37) after real traffic: Prometheus text, requests by route template (never
// a raw path, so no key or id in a label), credential verifications by result, probes counted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "@/lib/keys/format";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";

let server: Awaited<ReturnType<typeof startApiServer>>;
beforeAll(async () => {
  server = await startApiServer();
});
afterAll(async () => {
  await server.close();
});

function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

describe("/metrics", () => {
  it("counts requests by route template and status, and verifications by result", async () => {
    const { as, alpha } = await makeOrg();
    const { id } = await createServiceAccountFromForm(
      as.alphaAdmin,
      { teamSlug: alpha.slug },
      { name: "metered" },
    );
    const key = (await createApiKeyFromForm(as.alphaAdmin, id, { name: "k" })).secret;
    const before = await (await fetch(`${server.base}/metrics`)).text();

    const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 3; i++) await fetch(`${server.base}/api/v1/viewer`, bearer(key));
    await fetch(`${server.base}/api/v1/viewer`, bearer(generateApiKey().token));
    await fetch(`${server.base}/api/v1/service-accounts/${id}`, bearer(key));
    await fetch(`${server.base}/healthz`);

    const response = await fetch(`${server.base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(text, name, labels) - sample(before, name, labels);

    expect(
      delta("deputy_http_requests_total", { route: "/api/v1/viewer", method: "GET", status: "200" }),
    ).toBe(3);
    expect(
      delta("deputy_http_requests_total", { route: "/api/v1/viewer", method: "GET", status: "401" }),
    ).toBe(1);
    expect(
      delta("deputy_http_requests_total", { route: "/api/v1/service-accounts/{account}", method: "GET" }),
    ).toBe(1);
    expect(delta("deputy_http_requests_total", { route: "/healthz", status: "200" })).toBe(1);
    expect(delta("deputy_credential_verifications_total", { result: "ok" })).toBe(4);
    expect(delta("deputy_credential_verifications_total", { result: "invalid_credential" })).toBe(1);
    expect(text).toContain("deputy_http_request_duration_seconds_bucket");
    expect(text).toContain("deputy_credential_cache_lookups_total");
    // No raw path, id or key in any label.
    expect(text).not.toContain(id);
    expect(text).not.toContain("dpt_");
  });

  it.runIf(process.env.DEPUTY_TEST_ENGINE === "postgresql")(
    "shows the PostgreSQL pools' connections (in use, idle, waiting)",
    async () => {
      const text = await (await fetch(`${server.base}/metrics`)).text();
      for (const pool of ["prisma", "credentials"]) {
        const total =
          sample(text, "deputy_db_pool_connections", { pool, state: "in_use" }) +
          sample(text, "deputy_db_pool_connections", { pool, state: "idle" });
        // Both pools served the traffic above, so each holds at least one connection.
        expect(total, pool).toBeGreaterThanOrEqual(1);
        expect(text).toContain(`deputy_db_pool_connections{pool="${pool}",state="waiting"} 0`);
      }
    },
  );
});

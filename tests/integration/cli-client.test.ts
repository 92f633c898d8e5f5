// The CLI's typed client follows openapi.json: each method calls a documented operation, and
// every documented operation (but the document itself) has a method.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createClient, exchangeToken } from "@/cli/client";
import { openApiDocument } from "@/lib/api/openapi";
import { API_ROUTES } from "@/lib/api/routes";

describe("the CLI's client", () => {
  it("covers every documented operation, each at its documented method and path", async () => {
    const calls: string[] = [];
    let methods: string[] = [];
    const server = http.createServer((req, res) => {
      calls.push(`${req.method} ${req.url!.split("?")[0]}`);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const client = createClient({
        host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        token: "dpt_test",
      });
      await client.getViewer();
      await client.createRun({ project: "p" });
      await client.listRuns("team", "p");
      await client.listServiceAccounts();
      await client.createServiceAccount({ name: "a-b", scope: "team", team: "t" });
      await client.getServiceAccount("a-b");
      await client.updateServiceAccount("a-b", { role: "viewer" });
      await client.deleteServiceAccount("a-b");
      await client.listKeys("a-b");
      await client.createKey("a-b", { name: "k" });
      await client.revokeKey("a-b", "key-1");
      await client.rotateKey("a-b", "key-1", { graceHours: 24 });
      await client.listAuditEvents({ actorType: "service_account" });
      await client.reportLeakedKeys([{ token: "dpt_x" }]);
      await client.listIdentityProviders();
      await client.addIdentityProvider({ issuer: "https://issuer.example", name: "x" });
      await client.removeIdentityProvider("idp-1");
      await client.updateKey("a-b", "key-1", { name: "k2" });
      await client.listTeams();
      await client.createTeam({ slug: "t", name: "T" });
      await client.getTeam("t");
      await client.renameTeam("t", { name: "T2" });
      await client.deleteTeam("t");
      await client.listTeamMembers("t");
      await client.setTeamMember("t", "a@example.test", { role: "viewer" });
      await client.removeTeamMember("t", "a@example.test");
      await client.listTeamProjects("t");
      await client.createProject("t", { name: "p", visibility: "restricted" });
      await client.getProject("t", "p");
      await client.updateProject("t", "p", { visibility: "team" });
      await client.deleteProject("t", "p");
      await client.listProjectAccess("t", "p");
      await client.grantProjectAccess("t", "p", "a@example.test");
      await client.revokeProjectAccess("t", "p", "ci-bot");
      await client.listOrgMembers();
      await client.suggestKeyRestrictions("a-b", "key-1");
      await client.listWebhooks();
      await client.getOrgPolicies();
      await client.updateOrgPolicies({ requireOwner: true });
      await client.createWebhook({ url: "https://hooks.example/x" });
      await client.getWebhook("wh-1");
      await client.updateWebhook("wh-1", { status: "disabled" });
      await client.deleteWebhook("wh-1");
      await client.listWebhookDeliveries("wh-1");
      await client.testWebhook("wh-1");
      await client.resendWebhookDelivery("wh-1", "msg_1");
      expect(Object.keys(client)).toHaveLength(calls.length);
      methods = Object.keys(client);
      await exchangeToken(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, "a.b.c").catch(
        () => undefined,
      );
    } finally {
      server.close();
    }
    const document = openApiDocument(API_ROUTES);
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod).map(([method, op]) => ({
        id: (op as { operationId: string }).operationId,
        method: method.toUpperCase(),
        pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
      })),
    );
    const covered = new Set<string>();
    for (const call of calls) {
      const [method, path] = call.split(" ") as [string, string];
      const operation = operations.find((o) => o.method === method && o.pattern.test(path));
      expect(operation, call).toBeDefined();
      covered.add(operation!.id);
    }
    const undocumented = operations
      .map((o) => o.id)
      .filter((id) => !covered.has(id) && id !== "getOpenApiDocument");
    expect(undocumented).toEqual([]);
    // Each method is named by the operationId it calls (the token exchange is its own function).
    expect([...methods, "exchangeToken"].sort()).toEqual([...covered].sort());
  });
});

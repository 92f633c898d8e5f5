// openapi.json: generated from the route table, valid OpenAPI 3.1 by a third-party validator,
// served at /api/v1/openapi.json without a credential.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountApi } from "@/lib/api/server";
import { API_ROUTES } from "@/lib/api/routes";
import { toApiError } from "@/lib/api/router";
import { AppError } from "@/lib/errors";

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer();
  mountApi(server, (_req, res) => res.end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("GET /api/v1/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document of every route, with the bearer scheme", async () => {
    const response = await fetch(`${base}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    };
    expect(document.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, JSON.stringify(result.valid ? [] : result.errors).slice(0, 2000)).toBe(true);
    for (const route of API_ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      for (const status of Object.keys(route.responses)) expect(operation!.responses[status]).toBeDefined();
    }
    expect(document.paths["/api/v1/runs"]?.post?.responses["401"]).toBeDefined();
    expect(document.components.securitySchemes.bearer?.scheme).toBe("bearer");
  });
});

describe("error mapping", () => {
  it("answers every expected domain failure with SPEC §4's status and code, never 500", () => {
    const cases: [AppError["code"], number, string][] = [
      ["INVALID", 400, "invalid_request"],
      ["FORBIDDEN", 403, "forbidden"],
      ["NOT_FOUND", 404, "not_found"],
      ["CONFLICT", 409, "conflict"],
      ["LIMIT_REACHED", 409, "conflict"],
      ["RATE_LIMITED", 429, "rate_limited"],
    ];
    for (const [code, status, apiCode] of cases) {
      expect(toApiError(new AppError(code, "why"))).toMatchObject({ status, code: apiCode });
    }
    // A refusal's reason is the answer's code.
    for (const reason of ["restricted_project", "cross_team_write_denied", "read_only_role"] as const) {
      expect(toApiError(new AppError("FORBIDDEN", "why", undefined, reason))).toMatchObject({
        status: 403,
        code: reason,
      });
    }
    expect(toApiError(Object.assign(new Error("dup"), { code: "P2002" }))).toMatchObject({ status: 409 });
    expect(toApiError(new Error("boom"))).toBeNull();
  });
});

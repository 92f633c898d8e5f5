// An /api/v1 server for integration tests (node:http on a random port, mounted as production
// mounts it) and a client whose every answer is checked against openapi.json.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { mountApi } from "@/lib/api/server";
import { contractProblems } from "./contract";

export type ApiAnswer = {
  status: number;
  headers: Headers;
  text: string;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
};

export type CallInit = {
  key?: string;
  method?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
};

export async function startApiServer(options: { failLimit?: number; failureSyncMs?: number } = {}) {
  const server = http.createServer();
  const flush = mountApi(
    server,
    (_req, res) => {
      res.statusCode = 418;
      res.end("not the API");
    },
    options,
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** Calls the API; fails the test when the answer is not what openapi.json documents. */
  async function call(path: string, init: CallInit = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
    const hasBody = init.body !== undefined || init.raw !== undefined;
    if (hasBody) headers["content-type"] ??= "application/json";
    const method = init.method ?? (hasBody ? "POST" : "GET");
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      body: init.raw ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    });
    const text = await response.text();
    const body = (text ? JSON.parse(text) : {}) as ApiAnswer["body"];
    expect(contractProblems(method, path, response.status, text ? body : undefined)).toEqual([]);
    return { status: response.status, headers: response.headers, text, body };
  }

  return {
    base,
    call,
    flush,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

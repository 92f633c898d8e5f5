// A webhook receiver for tests: a real HTTP server that verifies every delivery with the
// `standardwebhooks` library (the reference implementation of the Standard Webhooks spec), as a
// customer's receiver would. What it answers is up to the test.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type Received = {
  id: string;
  verified: boolean;
  error?: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> } | null;
  headers: http.IncomingHttpHeaders;
};

export type Answer = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

export async function startReceiver() {
  let secret: string | null = null;
  const received: Received[] = [];
  let answer: (r: Received) => Answer = () => ({ status: 204 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
      );
      const entry: Received = {
        id: headers["webhook-id"] ?? "",
        verified: false,
        body: null,
        headers: req.headers,
      };
      try {
        if (!secret) throw new Error("no secret yet");
        entry.body = new Webhook(secret).verify(text, headers) as Received["body"];
        entry.verified = true;
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
      }
      received.push(entry);
      const reply = answer(entry);
      setTimeout(() => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body ?? "");
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    setSecret: (s: string) => (secret = s),
    answerWith: (fn: (r: Received) => Answer) => (answer = fn),
    /** Waits until `predicate` holds for what was received (polling, no fixed sleep). */
    async waitFor(predicate: (all: Received[]) => boolean, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > until)
          throw new Error(`Receiver: condition not met in ${timeoutMs} ms (${received.length} received)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

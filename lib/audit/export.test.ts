// The audit export's body: spreadsheet-safe CSV cells, and a download that fails visibly when a
// page after the first one fails, checked on the stream and over HTTP through the same piping
// (and gzip middleware) Next.js uses for a route's Response: the chunked response is cut off
// without its terminating chunk.
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sendResponse } from "next/dist/server/send-response";
import { NodeNextRequest, NodeNextResponse } from "next/dist/server/base-http/node";
import { CSV_HEADER, auditExportStream, csvCell, csvLine } from "./export";
import type { AuditRow } from "./query";
import { logger } from "@/lib/ops/log";

const rowOf = (i: number): AuditRow => ({
  id: `ev-${i}`,
  createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
  actorType: "USER",
  actorId: "u1",
  actorIdentity: `person-${i}@example.test`,
  action: "api_key.created",
  targetType: "service_account",
  targetId: "sa-1",
  targetName: "deploy",
  metadata: { i },
  ip: "203.0.113.7",
  userAgent: "vitest",
});

const PAGE = 1000;
const SECRET = "postgresql://deputy:hunter2@db.internal/deputy";

/** Pages of events as allAuditEvents yields them; page `failOn` (1-based) throws instead. */
async function* pages(count: number, failOn?: number) {
  for (let page = 1; page <= count; page += 1) {
    if (page === failOn) throw new Error("connection to the database was lost");
    for (let i = 0; i < PAGE; i += 1) yield rowOf((page - 1) * PAGE + i);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("csvCell", () => {
  it.each([
    ["=1+1", "=1+1", "'=1+1"],
    ["space before =", " =1+1", "' =1+1"],
    ["tab before =", "\t=cmd", "'\t=cmd"],
    ["spaces before @", "  @SUM(A1)", "'  @SUM(A1)"],
    ["-5", "-5", "'-5"],
    ["+1", "+1", "'+1"],
    ["@SUM(A1)", "@SUM(A1)", "'@SUM(A1)"],
    ["no-break and ideographic spaces before =", "\u00a0\u3000=1", "'\u00a0\u3000=1"],
    ["zero-width space before =", "\u200b=1", "'\u200b=1"],
    ["byte-order mark before +", "\ufeff+1", "'\ufeff+1"],
    ["full-width =", "\uff1d1+1", "'\uff1d1+1"],
    ["a leading tab", "\tplain", "'\tplain"],
  ])("neutralises %s", (_name, input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("neutralises and quotes a cell whose whitespace needs quoting", () => {
    expect(csvCell("\r\n=cmd")).toBe(`"'\r\n=cmd"`);
    expect(csvCell("\n  -2")).toBe(`"'\n  -2"`);
    expect(csvCell("\r")).toBe(`"'\r"`);
  });

  it("leaves ordinary values unchanged and quotes per RFC 4180", () => {
    expect(csvCell("deploy-bot")).toBe("deploy-bot");
    expect(csvCell("a b = c")).toBe("a b = c");
    expect(csvCell("user@example.test")).toBe("user@example.test");
    expect(csvCell("   ")).toBe("   ");
    expect(csvCell("")).toBe("");
    expect(csvCell(null)).toBe("");
    expect(csvCell('say "hi", twice')).toBe('"say ""hi"", twice"');
  });

  it("applies to every column of a line", () => {
    const line = csvLine({ ...rowOf(1), actorIdentity: " =HYPERLINK(1)", targetName: "\t@x", ip: "-1" });
    expect(line).toContain(",' =HYPERLINK(1),");
    expect(line).toContain(",'\t@x,");
    expect(line).toContain(",'-1,");
  });
});

describe("auditExportStream", () => {
  it("streams every page of a complete export and closes", async () => {
    const stream = await auditExportStream("csv", pages(3));
    const text = await new Response(stream).text();
    const lines = text.split("\r\n");
    expect(`${lines[0]}\r\n`).toBe(CSV_HEADER);
    expect(lines.length).toBe(1 + 3 * PAGE + 1);
    expect(lines.at(-1)).toBe("");
  });

  it("writes JSON Lines", async () => {
    const text = await new Response(await auditExportStream("jsonl", pages(2))).text();
    const lines = text.trimEnd().split("\n");
    expect(lines.length).toBe(2 * PAGE);
    expect(JSON.parse(lines[0]!)).toMatchObject({ id: "ev-0", actor: { type: "user" } });
  });

  it("rejects before the first byte when the first page fails", async () => {
    await expect(auditExportStream("csv", pages(3, 1))).rejects.toThrow("connection to the database");
  });

  it("errors the stream, rather than closing it, when page 2 fails; and logs it once", async () => {
    const log = vi.spyOn(logger(), "error").mockImplementation(() => {});
    const stream = await auditExportStream("csv", pages(3, 2), { label: "acme" });
    const reader = stream.getReader();
    let received = "";
    const decoder = new TextDecoder();
    const readAll = async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "closed cleanly";
        received += decoder.decode(value);
      }
    };
    await expect(readAll()).rejects.toThrow("Audit export acme cut off after 1000 events.");
    expect(received.startsWith(CSV_HEADER)).toBe(true);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]?.[1])).toContain("Audit export acme failed after 1000 events");
    expect(JSON.stringify(log.mock.calls)).not.toContain("person-");
  });

  it("does not pass the cause to whoever relays the stream's error", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    async function* leaky() {
      yield* pages(1);
      throw new Error(`could not connect to ${SECRET}`);
    }
    const stream = await auditExportStream("jsonl", leaky());
    const failure = await new Response(stream).text().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).not.toContain("hunter2");
    expect((failure as Error).cause).toBeUndefined();
  });

  it("stops reading pages when the download is cancelled", async () => {
    let finished = false;
    async function* endless() {
      try {
        for (let i = 0; ; i += 1) yield rowOf(i);
      } finally {
        finished = true;
      }
    }
    const stream = await auditExportStream("csv", endless());
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(finished).toBe(true);
  });
});

type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
const compression = createRequire(import.meta.url)("next/dist/compiled/compression") as () => Middleware;

/** A server that answers every request with `body()` exactly as a Next.js route's Response is sent. */
async function serveAsNext(body: () => Promise<ReadableStream<Uint8Array>>) {
  const piped: Promise<unknown>[] = [];
  const compress = compression(); // as next's router server does unless compress: false
  const server = http.createServer((req, res) => {
    compress(req, res, () => {});
    piped.push(
      (async () => {
        const response = new Response(await body(), { headers: { "content-type": "text/csv" } });
        await sendResponse(new NodeNextRequest(req), new NodeNextResponse(res), response);
      })().catch((error: unknown) => error),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    piped,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A raw HTTP/1.1 GET: status, whether the chunked body ended with its terminating chunk, bytes. */
function rawGet(url: string, headers: Record<string, string> = {}) {
  type Answer = { status: number; encoding?: string; complete: boolean; aborted: boolean; bytes: number };
  return new Promise<Answer>((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        let aborted = false;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("aborted", () => (aborted = true));
        res.on("error", () => (aborted = true));
        res.on("close", () =>
          resolve({
            status: res.statusCode ?? 0,
            encoding: res.headers["content-encoding"],
            complete: res.complete,
            aborted,
            bytes,
          }),
        );
      })
      .on("error", reject);
  });
}

describe("audit export over HTTP", () => {
  it("a complete export ends its chunked response; one whose page 2 fails is cut off", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    let failOn: number | undefined;
    const server = await serveAsNext(() => auditExportStream("csv", pages(3, failOn)));
    try {
      for (const headers of [{}, { "accept-encoding": "gzip" }] as Record<string, string>[]) {
        failOn = undefined;
        const whole = await rawGet(`${server.base}/`, headers);
        expect(whole).toMatchObject({ status: 200, complete: true, aborted: false });
        expect(whole.encoding).toBe(headers["accept-encoding"]);

        failOn = 2;
        const cut = await rawGet(`${server.base}/`, headers);
        expect(cut.status).toBe(200); // the headers were sent with the first page
        expect(cut.complete).toBe(false);
        expect(cut.aborted).toBe(true);
        expect(cut.bytes).toBeLessThan(whole.bytes);
      }

      // What a browser's fetch sees: reading the body fails, it does not resolve to a short file.
      const response = await fetch(`${server.base}/`);
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
    } finally {
      await server.close();
    }
    const outcomes = await Promise.all(server.piped);
    // Next's sendResponse rejects for each cut-off download (and Next logs that), never for a whole one.
    expect(outcomes.map((outcome) => outcome instanceof Error)).toEqual([false, true, false, true, true]);
  });
});

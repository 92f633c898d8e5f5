// One delivery attempt (rule 28) without becoming a way into the private network: the endpoint's
// host must resolve to public addresses (unless DEPUTY_ALLOW_PRIVATE_WEBHOOKS=1), checked on
// every attempt and the connection pinned to the checked address; 10 s for the whole attempt;
// redirects are not followed (a 3xx is a failure); at most 4 KB of the answer is read and 1 KB of
// it kept.
import http from "node:http";
import https from "node:https";
import { FetchProblem, pinnedLookup, resolvePublic } from "@/lib/federation/fetch";
import { webhookUrlProblem } from "./url";

export const ATTEMPT_TIMEOUT_MS = 10_000;
export const READ_AT_MOST = 4096;
export const KEEP_AT_MOST = 1024;

const PRIVATE_HINT =
  "Deputy delivers only to public addresses. Set DEPUTY_ALLOW_PRIVATE_WEBHOOKS=1 for a receiver inside your network.";

export type AttemptResult =
  | { ok: boolean; status: number; body: string; durationMs: number; error?: undefined }
  | { ok: false; status: null; body: null; durationMs: number; error: string };

/** POSTs `body` with `headers`; never throws: every failure is a result with its reason. */
export async function sendAttempt(
  href: string,
  headers: Record<string, string>,
  body: string,
  options: { allowPrivate: boolean; timeoutMs?: number },
): Promise<AttemptResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const failed = (error: string): AttemptResult => ({
    ok: false,
    status: null,
    body: null,
    durationMs: Date.now() - started,
    error,
  });
  const problem = webhookUrlProblem(href, options.allowPrivate);
  if (problem) return failed(problem);
  const url = new URL(href);
  let pinned: { address: string; family: number };
  try {
    pinned = await withTimeout(resolvePublic(url, options.allowPrivate, PRIVATE_HINT), timeoutMs);
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(
      url,
      {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "Deputy-Webhooks/1",
        },
        lookup: pinnedLookup(pinned),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const text = Buffer.concat(chunks).toString("utf8").slice(0, KEEP_AT_MOST);
          const redirect = status >= 300 && status < 400;
          finish({
            ok: status >= 200 && status < 300,
            status,
            body: redirect
              ? `${text}${text ? "\n" : ""}(redirect not followed)`.slice(0, KEEP_AT_MOST)
              : text,
            durationMs: Date.now() - started,
          });
          request.destroy();
        };
        response.on("data", (chunk: Buffer) => {
          if (size >= READ_AT_MOST) return;
          chunks.push(chunk.subarray(0, READ_AT_MOST - size));
          size += chunk.length;
          // Enough read: a huge answer changes nothing but this attempt's log.
          if (size >= READ_AT_MOST) done();
        });
        response.on("end", done);
        response.on("error", () => done());
      },
    );
    // One deadline for the whole attempt, the address lookup included: a batch of attempts then
    // ends within the worker's lease, however slow a host's DNS is.
    const timer = setTimeout(
      () => {
        request.destroy();
        finish(failed(`No answer within ${timeoutMs / 1000} s.`));
      },
      Math.max(0, timeoutMs - (Date.now() - started)),
    );
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish(failed(`Could not connect (${error.code ?? error.message}).`)),
    );
    request.end(body);
  });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FetchProblem(`No answer within ${ms / 1000} s.`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { saveLastUsed } from "@/lib/keys/data";
import { credentialLookup } from "@/lib/db/credential-lookup";
import { isWellFormedText } from "@/lib/validation/text";
import { clearCredentialCache } from "@/lib/keys/credential-cache";
import { LAST_USED_FLUSH_INTERVAL_MS, LastUsedRecorder } from "@/lib/keys/last-used";
import { config } from "@/lib/config/env";
import { NON_PAGE_CSP, staticSecurityHeaders } from "@/lib/security/headers";
import { WebhookWorker, type WebhookWorkerOptions } from "@/lib/webhooks/worker";
import { JobScheduler } from "@/lib/jobs/scheduler";
import { readiness, type Readiness } from "@/lib/ops/readiness";
import { renderMetrics } from "@/lib/ops/metrics";
import { logError } from "@/lib/ops/log";
import { beginRequest } from "@/lib/ops/request-log";
import { metricsAccess } from "@/lib/ops/metrics-access";
import { API_PREFIX, createApiHandler } from "./handler";
import { SCIM_BASE_PATH, createScimHandler } from "./scim-server";

// Answers that are never pages (the proxy gives pages their own nonce'd policy).
const NON_PAGE_PREFIXES = [
  "/api/",
  "/scim/",
  "/_next/",
  "/favicon.ico",
  "/robots.txt",
  "/healthz",
  "/readyz",
];

/**
 * Mounts the API on a node:http server in front of `fallback` (Next.js): /api/v1 requests never
 * reach the page framework. Returns a function that flushes pending last-used times (call it on
 * shutdown).
 */
export function mountApi(
  server: Server,
  fallback: (req: IncomingMessage, res: ServerResponse) => void,
  options: {
    flushIntervalMs?: number;
    failLimit?: number;
    failureSyncMs?: number;
    /** Sends the webhook outbox from this process (the server does; tests choose). */
    webhooks?: WebhookWorkerOptions | false;
    /** Runs the background jobs (rule 32) every this many ms (the server does; tests choose). */
    jobsIntervalMs?: number;
    /** True once the instance is stopping: /readyz answers 503 (lib/server/drain.ts). */
    draining?: () => boolean;
  } = {},
) {
  const worker = options.webhooks ? new WebhookWorker(options.webhooks) : null;
  worker?.start();
  const jobs = options.jobsIntervalMs ? new JobScheduler(options.jobsIntervalMs) : null;
  jobs?.start();
  const lastUsed = new LastUsedRecorder();
  const api = createApiHandler({
    lastUsed,
    failLimit: options.failLimit,
    failureSyncMs: options.failureSyncMs,
  });
  const scim = createScimHandler({ failLimit: options.failLimit, failureSyncMs: options.failureSyncMs });
  const flush = async () => {
    try {
      await lastUsed.flush(saveLastUsed);
    } catch (error) {
      logError("Could not record API keys' last use; will retry", error);
    }
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? LAST_USED_FLUSH_INTERVAL_MS);
  timer.unref();
  // Several instances on one PostgreSQL database: a key revoked through another instance is
  // dropped from this one's cache as soon as that instance announces it.
  const stopListening = credentialLookup().listen(clearCredentialCache);

  const securityHeaders = Object.entries(staticSecurityHeaders(config().publicUrl));
  const errorHeaderLines = [...securityHeaders, ["content-security-policy", NON_PAGE_CSP]]
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const isApi = url === API_PREFIX || url.startsWith(`${API_PREFIX}/`) || url.startsWith(`${API_PREFIX}?`);
    // The API writes its security headers with the rest of its answer's, in one writeHead
    // (lib/api/errors.ts); every other answer gets them here.
    if (!isApi) {
      for (const [name, value] of securityHeaders) res.setHeader(name, value);
      if (NON_PAGE_PREFIXES.some((prefix) => url.startsWith(prefix))) {
        res.setHeader("content-security-policy", NON_PAGE_CSP);
      }
    }
    beginRequest(req, res, isApi);
    if (isApi) {
      void api(req, res);
      return;
    }
    const probe = url.split("?", 1)[0];
    if (probe === "/healthz" || probe === "/readyz") {
      void answerProbe(probe, res, options.draining?.() ?? false);
    } else if (probe === "/metrics") {
      void answerMetrics(req, res);
    } else if (
      url === SCIM_BASE_PATH ||
      url.startsWith(`${SCIM_BASE_PATH}/`) ||
      url.startsWith(`${SCIM_BASE_PATH}?`)
    ) {
      void scim(req, res);
    } else if (!isDecodablePath(url)) {
      // Next.js answers a malformed escape in a page URL (`/team/projects/%E0%A4%A`) with a 500
      // before any of our code runs. Such a URL names nothing that exists: a 404.
      sendMalformedPathNotFound(res);
    } else {
      fallback(req, res);
    }
  });

  // Requests Node refuses before any handler (headers over 16 KB, say a pasted blob instead of
  // a key) still get the API's JSON error shape.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
    const body = JSON.stringify({
      error: {
        code: "invalid_request",
        message: tooLarge
          ? "Request headers are too large: send only the API key in Authorization."
          : "Malformed HTTP request.",
      },
    });
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${errorHeaderLines}Connection: close\r\n\r\n${body}`,
    );
  });

  return async function shutdown() {
    clearInterval(timer);
    stopListening();
    await Promise.all([flush(), worker?.stop(), jobs?.stop()]);
  };
}

/**
 * /healthz: 200 while the process serves. /readyz: 200 when the database answers and every
 * migration is applied, else 503 with the reason in one line (never a 500).
 */
async function answerProbe(url: string, res: ServerResponse, draining: boolean): Promise<void> {
  const verdict: Readiness =
    url === "/healthz"
      ? { ready: true }
      : draining
        ? { ready: false, reason: "shutting down" }
        : await readiness();
  const body = verdict.ready
    ? JSON.stringify({ status: url === "/healthz" ? "ok" : "ready" })
    : JSON.stringify({ status: "unavailable", reason: verdict.reason });
  res.writeHead(verdict.ready ? 200 : 503, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

/** GET /metrics: the Prometheus text format, to the bearer DEPUTY_METRICS_TOKEN or loopback. */
async function answerMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const access = metricsAccess(config().metricsToken, req.headers.authorization, req.socket.remoteAddress);
  if (access !== "allowed") {
    const body = JSON.stringify({
      error: {
        code: access === "unauthorized" ? "invalid_credential" : "forbidden",
        message:
          access === "unauthorized"
            ? "Send DEPUTY_METRICS_TOKEN as Authorization: Bearer <token>."
            : "Metrics are served to this machine only; set DEPUTY_METRICS_TOKEN to scrape from elsewhere.",
      },
    });
    res.writeHead(access === "unauthorized" ? 401 : 403, {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
    });
    return void res.end(body);
  }
  const { contentType, body } = await renderMetrics();
  res.writeHead(200, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(body);
}

/** True when the path part of a request URL percent-decodes to storable text. */
export function isDecodablePath(url: string): boolean {
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (!path.includes("%")) return true;
  try {
    // A NUL names nothing either, and PostgreSQL refuses it in any query.
    return isWellFormedText(decodeURIComponent(path));
  } catch {
    return false;
  }
}

const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page not found · Deputy</title></head><body style="font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem"><h1>Page not found</h1><p>This address is not valid: it contains a broken percent-encoding. Check the link, or go to <a href="/">Deputy's home page</a>.</p></body></html>`;

function sendMalformedPathNotFound(res: ServerResponse): void {
  res.writeHead(404, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(NOT_FOUND_PAGE),
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "cache-control": "no-store",
  });
  res.end(NOT_FOUND_PAGE);
}

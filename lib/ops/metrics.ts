// Prometheus metrics (rule 37), with prom-client: what an operator graphs and alerts on. Labels
// are bounded by construction — a route's template (never its raw path: no key, id or name in a
// label), a status, a result code — so a caller cannot grow the series.
import client from "prom-client";
import { FastCounter, FastHistogram, type FastCounterChild, type FastHistogramChild } from "./fast-series";

type Metrics = ReturnType<typeof createMetrics>;

function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "deputy_" });
  const registers = [registry];
  /** Registers one of the request path's own series (lib/ops/fast-series.ts). */
  const fast = <T extends FastCounter | FastHistogram>(series: T): T => {
    registry.registerMetric(series as unknown as client.Metric);
    return series;
  };
  return {
    registry,
    requests: fast(
      new FastCounter(
        "deputy_http_requests_total",
        "HTTP requests answered, by route template, method and status.",
        ["route", "method", "status"],
      ),
    ),
    duration: fast(
      new FastHistogram(
        "deputy_http_request_duration_seconds",
        "Time to answer an HTTP request, by route template and method.",
        ["route", "method"],
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ),
    ),
    verifications: fast(
      new FastCounter(
        "deputy_credential_verifications_total",
        "API credentials checked, by result: ok, or the refusal's error code.",
        ["result"],
      ),
    ),
    exchanges: fast(
      new FastCounter(
        "deputy_token_exchanges_total",
        "Token exchanges (RFC 8693), by result: granted, or the OAuth error.",
        ["result"],
      ),
    ),
    cache: fast(
      new FastCounter(
        "deputy_credential_cache_lookups_total",
        "Credential cache lookups, by result (hit or miss); the hit ratio is hit / all.",
        ["result"],
      ),
    ),
    deliveries: fast(
      new FastCounter(
        "deputy_webhook_deliveries_total",
        "Webhook delivery attempts, by result (delivered or failed).",
        ["result"],
      ),
    ),
    jobs: fast(
      new FastCounter(
        "deputy_job_runs_total",
        "Rounds of the background jobs on this instance, by result (ran, skipped: another instance holds the lock, failed).",
        ["result"],
      ),
    ),
    pool: createPoolGauge(registers),
  };
}

type PoolStats = { totalCount: number; idleCount: number; waitingCount: number };
/** The PostgreSQL pools of this process, by name, read when Prometheus scrapes. */
const pools = new Map<string, PoolStats>();

/** Shows a pg pool's connections in deputy_db_pool_connections (PostgreSQL only). */
export function observePool(name: string, pool: PoolStats): void {
  pools.set(name, pool);
  metrics();
}

function createPoolGauge(registers: client.Registry[]) {
  return new client.Gauge({
    name: "deputy_db_pool_connections",
    help: "PostgreSQL pool connections, by pool (prisma: the domain's, credentials: the key lookup's) and state (in_use, idle, waiting: requests queued for a connection).",
    labelNames: ["pool", "state"] as const,
    registers,
    collect() {
      for (const [pool, stats] of pools) {
        this.set({ pool, state: "in_use" }, stats.totalCount - stats.idleCount);
        this.set({ pool, state: "idle" }, stats.idleCount);
        this.set({ pool, state: "waiting" }, stats.waitingCount);
      }
    },
  });
}

const holder = globalThis as unknown as { deputyMetrics?: Metrics };

/** This process's metrics (one registry, created on first use). */
export function metrics(): Metrics {
  return (holder.deputyMetrics ??= createMetrics());
}

type ResultCounter = "verifications" | "exchanges" | "cache" | "deliveries" | "jobs";
/** The by-result counters' series, by "counter result": one map lookup per count. */
const boundResults = new Map<string, FastCounterChild>();

/** Counts one outcome in a by-result counter (`deputy_credential_verifications_total{result}` …). */
export function countResult(counter: ResultCounter, result: string): void {
  const key = `${counter} ${result}`;
  let child = boundResults.get(key);
  if (!child) {
    child = metrics()[counter].child(result);
    boundResults.set(key, child);
  }
  child.inc();
}

const ROUTE = Symbol("deputy.routeTemplate");

/** Names the route template of a request (the API's router does, once it matched). */
export function labelRoute(req: object, template: string): void {
  (req as { [ROUTE]?: string })[ROUTE] = template;
}

/** The route label of a request: its template, or a coarse family for everything else. */
export function routeLabel(req: object & { url?: string }): string {
  const template = (req as { [ROUTE]?: string })[ROUTE];
  if (template) return template;
  const url = req.url ?? "/";
  if (url.startsWith("/api/v1")) return "/api/v1 (no route)";
  if (url.startsWith("/scim/v2")) return "/scim/v2";
  if (url.startsWith("/_next/")) return "/_next (assets)";
  const path = url.split("?", 1)[0]!;
  if (path === "/healthz" || path === "/readyz" || path === "/metrics") return path;
  return "console";
}

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The series of "route method status": made once, then plain additions. */
const bound = new Map<string, { count: FastCounterChild; time: FastHistogramChild }>();

/** Counts and times one answered request. */
export function observeRequest(
  req: object & { url?: string; method?: string },
  status: number,
  seconds: number,
) {
  const route = routeLabel(req);
  const method = KNOWN_METHODS.has(req.method ?? "") ? req.method! : "OTHER";
  const key = `${route} ${method} ${status}`;
  let children = bound.get(key);
  if (!children) {
    const m = metrics();
    children = {
      count: m.requests.child(route, method, String(status)),
      time: m.duration.child(route, method),
    };
    bound.set(key, children);
  }
  children.count.inc();
  children.time.observe(seconds);
}

export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  const m = metrics();
  return { contentType: m.registry.contentType, body: await m.registry.metrics() };
}

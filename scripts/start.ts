// `npm start`: validate configuration, migrate the database, seed the demo data when asked,
// build when there is no up-to-date build, and serve on PORT.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { resolveAuthSecret } from "../lib/config/auth-secret";
import { createPrismaClient, disconnectDatabase } from "../lib/db";
import { CLIENT_IP_HEADER } from "../lib/request-headers";
import { seedDemo } from "../lib/seed/demo";
import { mountApi } from "../lib/api/server";
import { forwardTo } from "../lib/server/forward";
import { clientAddressOf } from "../lib/server/client-address";
import { trackRequests } from "../lib/server/drain";
import { logError, logger } from "../lib/ops/log";
import { ROOT, loadConfigOrExit, migrate } from "./lib";

const started = Date.now();
// Relative paths (data/, the default DATABASE_URL) mean the project folder, wherever we start from.
process.chdir(ROOT);
const dev = process.argv.includes("--dev");
const config = loadConfigOrExit();
const log = logger();
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.NEXTAUTH_URL ??= config.publicUrl;
// Create the session secret now, before any request races to create it.
resolveAuthSecret(config.authSecret, ROOT);

await migrate(config);

if (config.demo) {
  const db = createPrismaClient(config.databaseUrl);
  const isEmpty = (await db.organization.count()) === 0 && (await db.user.count()) === 0;
  if (isEmpty && (await seedDemo(db))) {
    log.info(
      "Seeded the demo organization acme (DEMO CREDENTIALS: see the README; never use them in production).",
    );
  }
  await db.$disconnect();
}

if (!dev && buildIsStale()) {
  log.info("Building Deputy (first start or changed sources; about a minute)…");
  const build = spawnSync(
    process.execPath,
    [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"],
    {
      cwd: ROOT,
      stdio: "inherit",
      env: process.env,
    },
  );
  if (build.status !== 0) {
    log.error("The build failed; see the output above.");
    process.exit(1);
  }
}

const consoleHandler = dev ? await consoleInProcess() : await consoleInThread();

const server = http.createServer();
const requests = trackRequests(server);
const shutdownApi = mountApi(
  server,
  (req, res) => {
    // The console reads the one client address (rule 26) from this header: replace whatever the
    // client sent.
    req.headers[CLIENT_IP_HEADER] = clientAddressOf(req);
    consoleHandler.handle(req, res);
  },
  { webhooks: {}, jobsIntervalMs: config.jobsInterval * 1000, draining: () => requests.draining() },
);
server.listen(config.port, () => {
  log.info(
    { port: config.port, startedInMs: Date.now() - started },
    `Deputy is ready on http://localhost:${config.port} (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
});

/**
 * SIGTERM (a rolling restart) and SIGINT: readiness goes 503, no new connections, the requests in
 * flight finish (at most DRAIN_MS), then the last-used and usage batches are written, the webhook
 * worker and the jobs stop, the LISTEN connection and the pools close, and the process exits 0.
 * A second signal, or a stop that hangs past STOP_DEADLINE_MS, exits at once.
 */
const DRAIN_MS = 10_000;
const STOP_DEADLINE_MS = 25_000;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info(
      { signal, inFlight: requests.inFlight() },
      `${signal}: finishing the requests in flight, then stopping.`,
    );
    setTimeout(() => {
      log.error("Stopping took too long; exiting.");
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    void (async () => {
      await requests.drain(DRAIN_MS);
      await shutdownApi();
      await consoleHandler.stop();
      await disconnectDatabase();
      log.info("Stopped.");
      process.exit(0);
    })().catch((error: unknown) => {
      logError("Stopping failed", error);
      process.exit(1);
    });
  });
}

type ConsoleHandler = {
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  stop: () => Promise<void>;
};

/** Development: Next.js in this thread (its hot reload upgrades connections of the front server). */
async function consoleInProcess(): Promise<ConsoleHandler> {
  // Imported here only: loading Next.js at all changes the thread it is loaded in.
  const { default: next } = await import("next");
  const app = next({ dev: true, dir: ROOT, port: config.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  return { handle: (req, res) => void handle(req, res), stop: () => Promise.resolve() };
}

/** Production: Next.js in a worker thread of its own (scripts/console-thread.mjs says why). */
async function consoleInThread(): Promise<ConsoleHandler> {
  const socketPath = path.join(os.tmpdir(), `deputy-console-${process.pid}.sock`);
  fs.rmSync(socketPath, { force: true });
  const worker = new Worker(new URL("./console-thread.mjs", import.meta.url), {
    workerData: { dir: ROOT, socketPath, port: config.port },
  });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
  });
  // The console's thread failing after start leaves half a product: stop, so the supervisor restarts us.
  worker.on("error", (error) => {
    logError("The console stopped", error);
    process.exit(1);
  });
  return {
    handle: forwardTo(socketPath),
    stop: async () => {
      await worker.terminate();
      fs.rmSync(socketPath, { force: true });
    },
  };
}

/** True when there is no production build, or a source file changed after it was made. */
function buildIsStale(): boolean {
  const buildId = path.join(ROOT, ".next", "BUILD_ID");
  if (!fs.existsSync(buildId)) return true;
  const builtAt = fs.statSync(buildId).mtimeMs;
  const sources = ["app", "components", "lib", "public", "proxy.ts", "next.config.js", "package-lock.json"];
  return sources.some((source) => newestMtime(path.join(ROOT, source)) > builtAt);
}

function newestMtime(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === "generated" || entry.name.startsWith(".")) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

// Plain JavaScript: a worker thread does not inherit tsx's loader.
// The console (Next.js) in a worker thread of its own, serving on a Unix socket that only the
// start script's server forwards to. Why a thread: Next.js changes its whole isolate for every
// request it serves (AsyncLocalStorage's promise hooks, patched globals, a larger heap to
// collect), and in the same thread that cost fell on every API request too — GET /api/v1/viewer
// ran at 0.66× the floor with Next.js beside it, 0.90× without (issue 16). A worker is its own
// isolate: the API's thread keeps none of that.
import http from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import next from "next";

/** @type {{ dir: string; socketPath: string; port: number }} */
const { dir, socketPath, port } = workerData;
const app = next({ dev: false, dir, port });
await app.prepare();
const handle = app.getRequestHandler();
const server = http.createServer((req, res) => void handle(req, res));
// Next.js streams pages; a slow client must not be cut off by Node's default request timeout
// any sooner than it would be when talking to Next.js directly.
server.keepAliveTimeout = 65_000;
server.listen(socketPath, () => parentPort?.postMessage({ ready: true }));
parentPort?.on("message", (/** @type {{ stop?: boolean }} */ message) => {
  if (message.stop) server.close(() => parentPort?.postMessage({ stopped: true }));
});

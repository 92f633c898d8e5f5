import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the answer: the front
// server's connection to the client has its own.
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "te",
  "trailer",
];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
}

/**
 * Forwards a request, unchanged, to a server on a local Unix socket (the console's thread) and
 * streams its answer back. Headers the front server already set (the static security headers)
 * stay unless the answer sets its own value for them.
 */
export function forwardTo(socketPath: string): (req: IncomingMessage, res: ServerResponse) => void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (req, res) => {
    const upstream = http.request(
      { socketPath, agent, method: req.method, path: req.url, headers: endToEnd(req.headers) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    upstream.on("error", () => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "1" });
      res.end("The console is not available right now; try again in a moment.\n");
    });
    // A client that goes away stops the console's work for it too.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}

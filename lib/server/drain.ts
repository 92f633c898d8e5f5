// A graceful stop (issue 20): stop accepting connections, let the requests in flight finish (at
// most `ms`), tell keep-alive clients to go elsewhere, then close what is left. Readiness says
// 503 from the first moment, so a load balancer stops sending before the socket closes.
import type { Server } from "node:http";

export type Drain = { draining(): boolean; inFlight(): number; drain(ms: number): Promise<void> };

export function trackRequests(server: Server): Drain {
  let active = 0;
  let draining = false;
  let idle: (() => void) | null = null;
  server.on("request", (req, res) => {
    active += 1;
    // A request on a kept-alive connection during the drain is served, then its connection closes.
    if (draining) res.setHeader("connection", "close");
    res.once("close", () => {
      active -= 1;
      if (draining) server.closeIdleConnections();
      if (active === 0) idle?.();
    });
  });
  return {
    draining: () => draining,
    inFlight: () => active,
    async drain(ms: number) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

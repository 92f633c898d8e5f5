// Who may read /metrics: with DEPUTY_METRICS_TOKEN, a caller sending it as a bearer token; without
// it, only callers on this machine (the socket's own address — a forwarded header never counts).
import { timingSafeEqual } from "node:crypto";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function metricsAccess(
  token: string | undefined,
  authorization: string | undefined,
  socketAddress: string | undefined,
): "allowed" | "unauthorized" | "forbidden" {
  if (!token) return LOOPBACK.has(socketAddress ?? "") ? "allowed" : "forbidden";
  const sent = /^Bearer +(\S+)$/i.exec(authorization?.trim() ?? "")?.[1] ?? "";
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b) ? "allowed" : "unauthorized";
}

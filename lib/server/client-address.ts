import type { IncomingMessage } from "node:http";
import { config } from "@/lib/config/env";
import { AddressRanges, clientAddress, normaliseAddress } from "@/lib/security/address-ranges";

const ADDRESS = Symbol("deputy.clientAddress");
let trusted: { ranges: string[]; list: AddressRanges | null } | undefined;

function trustedProxies(): AddressRanges | null {
  const ranges = config().trustedProxies;
  if (trusted?.ranges !== ranges) {
    trusted = { ranges, list: ranges.length > 0 ? new AddressRanges(ranges) : null };
  }
  return trusted.list;
}

const SOCKET = Symbol("deputy.socketAddress");
type SocketFacts = { ranges: string[]; address: string; trusted: boolean };

/**
 * The one client address of a request (rule 26), worked out once: audit events, failure limits,
 * allowedIps and last use all read this. A connection's own address is normalised once for all
 * its kept-alive requests; X-Forwarded-For is read only when that address is a trusted proxy.
 */
export function clientAddressOf(req: IncomingMessage): string {
  const holder = req as IncomingMessage & { [ADDRESS]?: string };
  if (holder[ADDRESS] !== undefined) return holder[ADDRESS];
  const ranges = config().trustedProxies;
  const socket = req.socket as IncomingMessage["socket"] & { [SOCKET]?: SocketFacts };
  let facts = socket[SOCKET];
  if (facts?.ranges !== ranges) {
    const address = normaliseAddress(socket.remoteAddress ?? "unknown");
    facts = { ranges, address, trusted: trustedProxies()?.includes(address) ?? false };
    // A connection's peer never changes; a socket without one (closed) is not remembered.
    if (socket.remoteAddress) socket[SOCKET] = facts;
  }
  holder[ADDRESS] = facts.trusted
    ? clientAddress(socket.remoteAddress, req.headers["x-forwarded-for"], trustedProxies())
    : facts.address;
  return holder[ADDRESS];
}

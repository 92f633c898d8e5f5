import type { IncomingMessage } from "node:http";
import { config } from "@/lib/config/env";
import { AddressRanges, clientAddress } from "@/lib/security/address-ranges";

const ADDRESS = Symbol("deputy.clientAddress");
let trusted: { ranges: string[]; list: AddressRanges | null } | undefined;

function trustedProxies(): AddressRanges | null {
  const ranges = config().trustedProxies;
  if (trusted?.ranges !== ranges) {
    trusted = { ranges, list: ranges.length > 0 ? new AddressRanges(ranges) : null };
  }
  return trusted.list;
}

/**
 * The one client address of a request (rule 26), worked out once: audit events, failure limits,
 * allowedIps and last use all read this.
 */
export function clientAddressOf(req: IncomingMessage): string {
  const holder = req as IncomingMessage & { [ADDRESS]?: string };
  holder[ADDRESS] ??= clientAddress(
    req.socket.remoteAddress,
    req.headers["x-forwarded-for"],
    trustedProxies(),
  );
  return holder[ADDRESS];
}

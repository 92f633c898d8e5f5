// Matching client addresses against CIDR ranges, built once (per key, per configuration) on
// node:net's BlockList, which answers in well under a microsecond.
import net from "node:net";
import { parseCidr } from "./cidr";

/** A socket's address as Deputy records it: IPv4-mapped IPv6 ("::ffff:10.0.0.1") as IPv4. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith("::ffff:") && net.isIPv4(lower.slice(7))) return lower.slice(7);
  return lower;
}

export class AddressRanges {
  private readonly list = new net.BlockList();

  /** `ranges` must be valid CIDR text (normalised or not); an invalid one throws. */
  constructor(readonly ranges: readonly string[]) {
    for (const text of ranges) {
      const cidr = parseCidr(text);
      if (!cidr) throw new Error(`Not a CIDR range: ${text}`);
      const network = cidr.family === 4 ? cidr.bytes.join(".") : ipv6Text(cidr.bytes);
      this.list.addSubnet(network, cidr.prefix, cidr.family === 4 ? "ipv4" : "ipv6");
    }
  }

  /** Whether an address (as a socket gives it, or from X-Forwarded-For) is inside a range. */
  includes(address: string): boolean {
    const normal = normaliseAddress(address);
    const family = net.isIP(normal);
    if (family === 0) return false;
    return this.list.check(normal, family === 4 ? "ipv4" : "ipv6");
  }
}

function ipv6Text(bytes: number[]): string {
  return Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16)).join(
    ":",
  );
}

/**
 * The client address of a request (rule 26): the socket's address, unless it is a trusted proxy;
 * then the right-most X-Forwarded-For entry that is not a trusted proxy (entries left of it were
 * written by the client and prove nothing). Without trusted proxies the header is ignored.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: AddressRanges | null,
): string {
  const socket = normaliseAddress(socketAddress ?? "unknown");
  if (!trusted || !trusted.includes(socket) || forwardedFor === undefined) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((hop) => hop.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normaliseAddress(hops[i]!);
    // A malformed hop ends the chain of trust: it cannot be believed, nor anything left of it.
    if (net.isIP(hop) === 0) return socket;
    if (!trusted.includes(hop)) return hop;
  }
  // Every hop is a trusted proxy: the left-most is the closest thing to a client there is.
  return normaliseAddress(hops[0]!);
}

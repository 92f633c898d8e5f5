// Matching client addresses against CIDR ranges, built once per key record (and per
// configuration): ranges are parsed to bytes up front and an address is compared bit by bit, with
// the answer remembered per address — a busy key is called from a handful of addresses, so the
// hot path is one Map lookup. (node:net's BlockList was measured at about a third of the API's
// throughput on the viewer benchmark: it builds a native SocketAddress on every check.)
import { parseCidr, type Cidr } from "./cidr";

const MEMO_LIMIT = 256;

/** A socket's address as Deputy records it: IPv4-mapped IPv6 ("::ffff:10.0.0.1") as IPv4. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  if (lower.startsWith("::ffff:") && lower.indexOf(".") !== -1 && parseCidr(lower.slice(7))?.family === 4) {
    return lower.slice(7);
  }
  return lower;
}

/** Whether text is a single IPv4 or IPv6 address (no prefix). */
export function isAddress(text: string): boolean {
  return !text.includes("/") && parseCidr(text) !== null;
}

function inside(range: Cidr, address: Cidr): boolean {
  if (range.family !== address.family) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((address.bytes[i]! & mask) !== range.bytes[i]) return false;
  }
  return true;
}

export class AddressRanges {
  private readonly parsed: Cidr[];
  private readonly memo = new Map<string, boolean>();

  /** `ranges` must be valid CIDR text (normalised or not); an invalid one throws. */
  constructor(readonly ranges: readonly string[]) {
    this.parsed = ranges.map((text) => {
      const cidr = parseCidr(text);
      if (!cidr) throw new Error(`Not a CIDR range: ${text}`);
      return cidr;
    });
  }

  /** Whether an address (as a socket gives it, or from X-Forwarded-For) is inside a range. */
  includes(address: string): boolean {
    const known = this.memo.get(address);
    if (known !== undefined) return known;
    const normal = normaliseAddress(address);
    const parsed = normal.includes("/") ? null : parseCidr(normal);
    const answer = parsed !== null && this.parsed.some((range) => inside(range, parsed));
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(address, answer);
    return answer;
  }
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
    if (!isAddress(hop)) return socket;
    if (!trusted.includes(hop)) return hop;
  }
  // Every hop is a trusted proxy: the left-most is the closest thing to a client there is.
  return normaliseAddress(hops[0]!);
}

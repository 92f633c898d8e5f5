// CIDR ranges as people type them and as Deputy stores them (rule 24's allowedIps, rule 26's
// trusted proxies). Pure and browser-safe, so the console's dialog and the server validate with
// the same code; matching a client address against ranges lives in address-ranges.ts (node:net).

export type Cidr = { family: 4 | 6; bytes: number[]; prefix: number };

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6(text: string): number[] | null {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return null;
    tailV4 = v4;
    head = text.slice(0, lastColon + 1) + (text[lastColon - 1] === ":" ? "" : "0");
    if (head.endsWith(":0") && text[lastColon - 1] !== ":") head = head.slice(0, -2);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groupsOf(halves[0]!);
  const right = halves.length === 2 ? groupsOf(halves[1]!) : [];
  const wanted = 8 - tailV4.length / 2;
  const present = left.length + right.length;
  if (halves.length === 1 ? present !== wanted : present >= wanted) return null;
  const groups = [...left, ...Array<string>(wanted - present).fill("0"), ...right];
  const bytes: number[] = [];
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return [...bytes, ...tailV4];
}

/** An address or a range ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"), or null when malformed. */
export function parseCidr(text: string): Cidr | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 64) return null;
  const slash = trimmed.indexOf("/");
  const address = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash === -1 ? null : trimmed.slice(slash + 1);
  const family: 4 | 6 = address.includes(":") ? 6 : 4;
  const bytes = family === 4 ? parseIpv4(address) : parseIpv6(address);
  if (!bytes) return null;
  const max = family === 4 ? 32 : 128;
  if (prefixText !== null && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
  const prefix = prefixText === null ? max : Number(prefixText);
  if (prefix > max) return null;
  // The network itself: host bits cleared, so "10.1.2.3/24" is stored as "10.1.2.0/24".
  const network = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return byte & (0xff << (8 - keep)) & 0xff;
  });
  return { family, bytes: network, prefix };
}

function formatIpv6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes "::" (the first such run on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  if (bestStart === -1) return groups.join(":");
  return `${groups.slice(0, bestStart).join(":")}::${groups.slice(bestStart + bestLength).join(":")}`;
}

/** The canonical text of a range: network address, always with its prefix length. */
export function formatCidr(cidr: Cidr): string {
  const address = cidr.family === 4 ? cidr.bytes.join(".") : formatIpv6(cidr.bytes);
  return `${address}/${cidr.prefix}`;
}

/** The canonical text of a typed range, or null when it is not one. */
export function normaliseCidr(text: string): string | null {
  const cidr = parseCidr(text);
  return cidr && formatCidr(cidr);
}

/** Whether every address of `inner` is inside `outer` (both ranges or addresses). */
export function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  if (!a || !b || a.family !== b.family || a.prefix < b.prefix) return false;
  const masked = parseCidr(`${formatCidr(a).split("/")[0]}/${b.prefix}`);
  return masked !== null && formatCidr(masked) === formatCidr(b);
}

// Credential format (SPEC rule 14): dpt_<key id>_<secret><checksum> for API keys, and the same
// shape with the prefix dpa_ for access tokens from the token exchange (rule 19):
//   key id    12 base62 characters, public: the lookup key (≈71 bits, unique-indexed)
//   secret    32 base62 characters from crypto.randomBytes (≈190 bits); only its hash is stored
//   checksum  6 base62 characters of CRC32 over everything before it
// The fixed prefix lets secret scanners recognise a leaked key; the checksum rejects a typo or a
// random string before any database read.
import crypto from "node:crypto";
import { crc32 } from "node:zlib";

export const KEY_PREFIX = "dpt_";
export const ACCESS_TOKEN_PREFIX = "dpa_";
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const KEY_ID_LENGTH = 12;
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const PATTERN_OF: Record<string, RegExp> = {
  [KEY_PREFIX]: /^dpt_([0-9A-Za-z]{12})_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/,
  [ACCESS_TOKEN_PREFIX]: /^dpa_([0-9A-Za-z]{12})_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/,
};
/** Longest a well-formed key can be: anything longer is refused without parsing. */
export const KEY_LENGTH = KEY_PREFIX.length + KEY_ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;

/** Uniformly random base62 characters (rejection sampling: no modulo bias). */
function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function checksumOf(body: string): string {
  let n = crc32(body);
  let out = "";
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export type GeneratedKey = { token: string; keyId: string; secretHash: string; last4: string };

/** A new key: the token (shown once), and what the database keeps (id, hash, last 4). */
export function generateApiKey(
  prefix: typeof KEY_PREFIX | typeof ACCESS_TOKEN_PREFIX = KEY_PREFIX,
): GeneratedKey {
  const keyId = randomBase62(KEY_ID_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  const body = `${prefix}${keyId}_${secret}`;
  const token = `${body}${checksumOf(body)}`;
  return { token, keyId, secretHash: hashSecret(secret), last4: token.slice(-4) };
}

export type ParsedKey = { keyId: string; secret: string };

/** Parses a presented key, or null when it is malformed or its checksum is wrong. No I/O. */
export function parseApiKey(
  token: string,
  prefix: typeof KEY_PREFIX | typeof ACCESS_TOKEN_PREFIX = KEY_PREFIX,
): ParsedKey | null {
  if (typeof token !== "string" || token.length !== KEY_LENGTH) return null;
  const match = PATTERN_OF[prefix]!.exec(token);
  if (!match) return null;
  const [, keyId, secret, checksum] = match as unknown as [string, string, string, string];
  if (checksumOf(`${prefix}${keyId}_${secret}`) !== checksum) return null;
  return { keyId, secret };
}

/**
 * SHA-256 of the secret. A 190-bit random secret cannot be guessed from its hash, so a slow
 * password hash would only cost every API request time without adding safety.
 */
export function hashSecret(secret: string): string {
  return crypto.createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string | Buffer): boolean {
  const expected = typeof storedHash === "string" ? Buffer.from(storedHash, "hex") : storedHash;
  const actual = crypto.createHash("sha256").update(secret, "utf8").digest();
  return expected.length === actual.length && crypto.timingSafeEqual(expected, actual);
}

/** How a key is shown after its creation: prefix, ellipsis, last four characters. */
export function maskedKey(last4: string): string {
  return `${KEY_PREFIX}…${last4}`;
}

import type { ActingServiceAccount } from "@/lib/core/principal";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { countResult } from "@/lib/ops/metrics";
import { credentialCache } from "./credential-cache";
import { findKeyRow, toDate, type KeyRow } from "@/lib/db/credential-lookup";
import { hashSecret, parseApiKey, secretMatches } from "./format";
import { credentialRestrictions, type CredentialRestrictions } from "./credential-restrictions";
import { storedList, storedPermission } from "./restrictions";

export type CredentialFailure =
  "invalid_credential" | "expired_credential" | "revoked_credential" | "account_disabled";

export type VerifiedKey = {
  /** An API key (absent) or an access token from the token exchange. */
  type?: "access_token";
  /** For an access token: the verified workload claims of the exchanged JWT. */
  claims?: Record<string, unknown>;
  key: { id: string; name: string | null; expiresAt: Date | null };
  /** The calling account: the same type the domain's principal carries. */
  serviceAccount: ActingServiceAccount;
  /** What this credential narrows its account to (rule 24). */
  restrictions: CredentialRestrictions;
};

/** What is known about a key id: the stored hash, its state, and its account. Never the secret. */
type KeyRecord = {
  /** The stored SHA-256, as bytes: decoded once per lookup, not per request. */
  secretHash: Buffer;
  revoked: boolean;
  disabled: boolean;
  verified: VerifiedKey;
};

// Compared against when no key has the presented id, so an unknown key costs the same work.
const UNKNOWN_KEY_HASH = Buffer.from(hashSecret("deputy-unknown-key"), "hex");

// Keys share a few restriction sets (most keys none at all): parse each stored set once, not at
// every cache miss. The shared objects are frozen, and only read.
const RESTRICTION_MEMO_LIMIT = 1024;
const restrictionMemo = new Map<string, CredentialRestrictions>();
function restrictionsOf(row: KeyRow): CredentialRestrictions {
  const memoKey = JSON.stringify([row.role, row.permission, row.projects, row.allowedIps]);
  let restrictions = restrictionMemo.get(memoKey);
  if (!restrictions) {
    restrictions = Object.freeze(
      credentialRestrictions(row.role, {
        permission: storedPermission(row.permission),
        projects: storedList(row.projects),
        allowedIps: storedList(row.allowedIps),
      }),
    );
    if (restrictionMemo.size >= RESTRICTION_MEMO_LIMIT) restrictionMemo.clear();
    restrictionMemo.set(memoKey, restrictions);
  }
  return restrictions;
}

async function loadKeyRecord(keyId: string): Promise<KeyRecord | null> {
  const row = await findKeyRow(keyId);
  if (!row) return null;
  return {
    secretHash: Buffer.from(row.secretHash, "hex"),
    revoked: row.revokedAt !== null || row.deletedAt !== null,
    disabled: row.status === "DISABLED",
    verified: {
      key: { id: row.id, name: row.name, expiresAt: toDate(row.expiresAt) },
      serviceAccount: {
        id: row.accountId,
        name: row.accountName,
        identity: serviceAccountIdentity(row.accountName, row.orgSlug),
        orgId: row.orgId,
        orgSlug: row.orgSlug,
        scope: row.scope,
        role: row.role,
        team: { id: row.teamId, slug: row.teamSlug },
      },
      restrictions: restrictionsOf(row),
    },
  };
}

/**
 * Verifies a presented API key: format and checksum first (no database read for garbage), then
 * the key id — from the short-lived cache, or one indexed JOIN — and a constant-time hash
 * comparison. An unknown key and a wrong secret give the same answer.
 */
export async function verifyApiKey(
  token: string,
  now = new Date(),
): Promise<{ ok: true; value: VerifiedKey } | { ok: false; code: CredentialFailure }> {
  const parsed = parseApiKey(token);
  if (!parsed) return { ok: false, code: "invalid_credential" };
  const cache = credentialCache<KeyRecord | null>();
  let record: KeyRecord | null;
  const cached = cache.get(parsed.keyId);
  countResult("cache", cached ? "hit" : "miss");
  if (cached) {
    record = cached.value;
  } else {
    const ticket = cache.ticket();
    record = await loadKeyRecord(parsed.keyId);
    cache.set(parsed.keyId, record, ticket);
  }
  const matches = secretMatches(parsed.secret, record?.secretHash ?? UNKNOWN_KEY_HASH);
  if (!record || !matches) return { ok: false, code: "invalid_credential" };
  if (record.revoked) return { ok: false, code: "revoked_credential" };
  const { expiresAt } = record.verified.key;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) return { ok: false, code: "expired_credential" };
  if (record.disabled) return { ok: false, code: "account_disabled" };
  return { ok: true, value: record.verified };
}

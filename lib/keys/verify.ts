import { db } from "@/lib/db";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { credentialCache } from "./credential-cache";
import { hashSecret, parseApiKey, secretMatches } from "./format";

export type CredentialFailure =
  "invalid_credential" | "expired_credential" | "revoked_credential" | "account_disabled";

export type VerifiedKey = {
  key: { id: string; name: string; expiresAt: Date | null };
  serviceAccount: {
    id: string;
    name: string;
    identity: string;
    orgId: string;
    orgSlug: string;
    scope: "ORG" | "TEAM";
    role: "ADMIN" | "MEMBER" | "VIEWER";
    team: { id: string; slug: string };
  };
};

/** What is known about a key id: the stored hash, its state, and its account. Never the secret. */
type KeyRecord = {
  secretHash: string;
  revoked: boolean;
  disabled: boolean;
  verified: VerifiedKey;
};

// Compared against when no key has the presented id, so an unknown key costs the same work.
const UNKNOWN_KEY_HASH = hashSecret("deputy-unknown-key");

async function loadKeyRecord(keyId: string): Promise<KeyRecord | null> {
  const key = await db.apiKey.findUnique({
    where: { keyId },
    select: {
      id: true,
      name: true,
      secretHash: true,
      expiresAt: true,
      revokedAt: true,
      serviceAccount: {
        select: {
          id: true,
          name: true,
          orgId: true,
          scope: true,
          role: true,
          status: true,
          deletedAt: true,
          org: { select: { slug: true } },
          team: { select: { id: true, slug: true } },
        },
      },
    },
  });
  const account = key?.serviceAccount;
  if (!key || !account) return null;
  return {
    secretHash: key.secretHash,
    revoked: key.revokedAt !== null || account.deletedAt !== null,
    disabled: account.status === "DISABLED",
    verified: {
      key: { id: key.id, name: key.name, expiresAt: key.expiresAt },
      serviceAccount: {
        id: account.id,
        name: account.name,
        identity: serviceAccountIdentity(account.name, account.org.slug),
        orgId: account.orgId,
        orgSlug: account.org.slug,
        scope: account.scope,
        role: account.role,
        team: account.team,
      },
    },
  };
}

/**
 * Verifies a presented API key: format and checksum first (no database read for garbage), then
 * the key id — from the short-lived cache, or one indexed lookup — and a constant-time hash
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
  if (cached) {
    record = cached.value;
  } else {
    record = await loadKeyRecord(parsed.keyId);
    cache.set(parsed.keyId, record);
  }
  const matches = secretMatches(parsed.secret, record?.secretHash ?? UNKNOWN_KEY_HASH);
  if (!record || !matches) return { ok: false, code: "invalid_credential" };
  if (record.revoked) return { ok: false, code: "revoked_credential" };
  const { expiresAt } = record.verified.key;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) return { ok: false, code: "expired_credential" };
  if (record.disabled) return { ok: false, code: "account_disabled" };
  return { ok: true, value: record.verified };
}

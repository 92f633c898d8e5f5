import { db } from "@/lib/db";
import { hashSecret, parseApiKey, secretMatches } from "./format";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";

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

// Compared against when no key has the presented id, so an unknown key costs the same work.
const UNKNOWN_KEY_HASH = hashSecret("deputy-unknown-key");

/**
 * Verifies a presented API key: format and checksum first (no database read for garbage), then
 * one indexed lookup by key id and a constant-time hash comparison. An unknown key and a wrong
 * secret give the same answer.
 */
export async function verifyApiKey(
  token: string,
  now = new Date(),
): Promise<{ ok: true; value: VerifiedKey } | { ok: false; code: CredentialFailure }> {
  const parsed = parseApiKey(token);
  if (!parsed) return { ok: false, code: "invalid_credential" };
  const key = await db.apiKey.findUnique({
    where: { keyId: parsed.keyId },
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
  const matches = secretMatches(parsed.secret, key?.secretHash ?? UNKNOWN_KEY_HASH);
  const account = key?.serviceAccount;
  if (!key || !matches || !account) return { ok: false, code: "invalid_credential" };
  if (key.revokedAt || account.deletedAt) return { ok: false, code: "revoked_credential" };
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime())
    return { ok: false, code: "expired_credential" };
  if (account.status === "DISABLED") return { ok: false, code: "account_disabled" };
  return {
    ok: true,
    value: {
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

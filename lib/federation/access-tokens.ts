// Access tokens (rule 19): issued by the token exchange, dpa_<token id>_<secret><checksum>, only
// a hash stored, living DEPUTY_ACCESS_TOKEN_TTL seconds. Verified like API keys — format and
// checksum first, then one indexed read (cached for a second, dropped on any account change) —
// and refused at once when the account is disabled or deleted.
import type { Prisma } from "@/lib/generated/prisma/client";
import { db, type Tx } from "@/lib/db";
import { config } from "@/lib/config/env";
import { credentialCache } from "@/lib/keys/credential-cache";
import {
  ACCESS_TOKEN_PREFIX,
  generateApiKey,
  hashSecret,
  parseApiKey,
  secretMatches,
} from "@/lib/keys/format";
import type { CredentialFailure, VerifiedKey } from "@/lib/keys/verify";
import { credentialRestrictions } from "@/lib/keys/credential-restrictions";
import { storedList, storedPermission } from "@/lib/keys/restrictions";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { truncateText } from "@/lib/validation/text";

/** Issues an access token inside the exchange's transaction; the token exists only in the answer. */
export async function issueAccessToken(
  tx: Tx,
  account: { id: string },
  grant: {
    issuer: string;
    subject: string;
    claims: Record<string, unknown>;
    /** Rule 25: what the exchange's scope narrowed the token to. */
    scope?: { permission: string | null; projects: string[] | null };
  },
  now = new Date(),
) {
  const generated = generateApiKey(ACCESS_TOKEN_PREFIX);
  const ttl = config().accessTokenTtl;
  const row = await tx.accessToken.create({
    data: {
      tokenId: generated.keyId,
      secretHash: generated.secretHash,
      serviceAccountId: account.id,
      issuer: grant.issuer,
      subject: truncateText(grant.subject, 512),
      claims: grant.claims as Prisma.InputJsonObject,
      permission: grant.scope?.permission ?? null,
      projects: grant.scope?.projects ? JSON.stringify(grant.scope.projects) : null,
      expiresAt: new Date(now.getTime() + ttl * 1000),
    },
    select: { id: true, expiresAt: true },
  });
  return { id: row.id, token: generated.token, expiresIn: ttl, expiresAt: row.expiresAt };
}

type TokenRecord = {
  secretHash: string;
  expiresAt: Date;
  disabled: boolean;
  deleted: boolean;
  verified: VerifiedKey;
};

const UNKNOWN_HASH = hashSecret("deputy-unknown-access-token");

async function loadTokenRecord(tokenId: string): Promise<TokenRecord | null> {
  const row = await db.accessToken.findUnique({
    where: { tokenId },
    select: {
      id: true,
      secretHash: true,
      expiresAt: true,
      claims: true,
      issuer: true,
      permission: true,
      projects: true,
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
          federatedIdentities: { select: { issuer: true, allowedIps: true } },
        },
      },
    },
  });
  if (!row) return null;
  const sa = row.serviceAccount;
  // Rule 25: the trust settings' current allowedIps apply to every use, not only the exchange.
  const trust = sa.federatedIdentities.find((f) => f.issuer === row.issuer);
  return {
    secretHash: row.secretHash,
    expiresAt: row.expiresAt,
    disabled: sa.status === "DISABLED",
    deleted: sa.deletedAt !== null,
    verified: {
      type: "access_token",
      key: { id: row.id, name: null, expiresAt: row.expiresAt },
      claims: row.claims as Record<string, unknown>,
      serviceAccount: {
        id: sa.id,
        name: sa.name,
        identity: serviceAccountIdentity(sa.name, sa.org.slug),
        orgId: sa.orgId,
        orgSlug: sa.org.slug,
        scope: sa.scope,
        role: sa.role,
        team: { id: sa.team.id, slug: sa.team.slug },
      },
      restrictions: credentialRestrictions(sa.role, {
        permission: storedPermission(row.permission),
        projects: storedList(row.projects),
        allowedIps: storedList(trust?.allowedIps ?? null),
      }),
    },
  };
}

/** Verifies a presented access token; an unknown token and a wrong secret answer the same. */
export async function verifyAccessToken(
  token: string,
  now = new Date(),
): Promise<{ ok: true; value: VerifiedKey } | { ok: false; code: CredentialFailure }> {
  const parsed = parseApiKey(token, ACCESS_TOKEN_PREFIX);
  if (!parsed) return { ok: false, code: "invalid_credential" };
  const cache = credentialCache<TokenRecord | null>();
  const cacheKey = `${ACCESS_TOKEN_PREFIX}${parsed.keyId}`;
  let record: TokenRecord | null;
  const cached = cache.get(cacheKey);
  if (cached) {
    record = cached.value;
  } else {
    const ticket = cache.ticket();
    record = await loadTokenRecord(parsed.keyId);
    cache.set(cacheKey, record, ticket);
  }
  const matches = secretMatches(parsed.secret, record?.secretHash ?? UNKNOWN_HASH);
  if (!record || !matches) return { ok: false, code: "invalid_credential" };
  if (record.deleted) return { ok: false, code: "revoked_credential" };
  if (record.expiresAt.getTime() <= now.getTime()) return { ok: false, code: "expired_credential" };
  if (record.disabled) return { ok: false, code: "account_disabled" };
  return { ok: true, value: record.verified };
}

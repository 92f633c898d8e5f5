// Leaked credentials (rule 22): an API key or an access token reported as leaked — pasted by an
// org admin, sent by an ADMIN account, or named in a secret-scanning report signed with a key of
// DEPUTY_SECRET_SCANNING_KEYS (GitHub's scheme) — is revoked at once and audited: a key is marked
// revoked and leaked with where it was found; an access token (no revoked state of its own) is
// deleted, so it answers invalid_credential from then on. A report of an unknown, expired or
// already revoked credential changes nothing and says so ("unknown" for an access token already
// deleted: nothing of it is left to tell). Every string of a report is checked before anything
// changes, and one report's changes commit together or not at all. Answers never echo a token:
// each result names its token by SHA-256.
import crypto from "node:crypto";
import { z } from "zod";
import { lockRow } from "@/lib/db/row-lock";
import { db, type Tx } from "@/lib/db";
import { mailKeyNotices } from "@/lib/mail/key-notices";
import { config } from "@/lib/config/env";
import { recordAudit, type AuditEventInput } from "@/lib/audit/record";
import { authorizeOrg } from "@/lib/authz/guard";
import { decideAccountManagement } from "@/lib/authz/management";
import {
  auditSourceOf,
  isServiceAccountPrincipal,
  principalIdentity,
  type Principal,
} from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { zText } from "@/lib/validation/text";
import { invalidateCredentialCache } from "./credential-cache";
import { ACCESS_TOKEN_PREFIX, maskedKey, parseApiKey, secretMatches } from "./format";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { loadManagedAccount } from "@/lib/service-accounts/accounts";

export const MAX_REPORTED_TOKENS = 100;

/** GitHub's secret-scanning format: a list of {token, type, url, source}. */
export const ZLeakReport = z
  .array(
    z
      .object({
        token: zText().max(512),
        type: zText().max(100).optional(),
        url: zText().max(2048).optional(),
        source: zText().max(100).optional(),
      })
      .strip(),
  )
  .min(1, "report at least one token")
  .max(MAX_REPORTED_TOKENS, `report at most ${MAX_REPORTED_TOKENS} tokens at once`);
export type TLeakReport = z.infer<typeof ZLeakReport>;

export type LeakStatus = "revoked" | "already_revoked" | "unknown";
export type LeakResult = { tokenHash: string; status: LeakStatus };

/** Who reports: a principal (an org admin in the console, an ADMIN account), or a signed scanner. */
export type Reporter =
  | { kind: "principal"; principal: Principal; orgSlug?: string }
  | { kind: "scanner"; ip: string | null; userAgent: string | null };

const sha256 = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

/** The first `max` UTF-16 units of `text`, never ending in half of a surrogate pair. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** Where a report says the credential was found, as one short line. */
function whereFound(item: { url?: string; source?: string }, reporter: Reporter): string {
  const origin =
    reporter.kind === "scanner" ? "secret scanning" : `reported by ${principalIdentity(reporter.principal)}`;
  return clip([origin, item.source, item.url].filter(Boolean).join(" — "), 500);
}

async function reporterOrgId(reporter: Reporter): Promise<string | null> {
  if (reporter.kind === "scanner") return null;
  const { principal } = reporter;
  if (isServiceAccountPrincipal(principal)) {
    if (principal.serviceAccount.role !== "ADMIN") {
      throw new AppError("FORBIDDEN", "Only ADMIN service accounts report leaked keys.");
    }
    return principal.serviceAccount.orgId;
  }
  if (!reporter.orgSlug) throw new AppError("NOT_FOUND", "Organization not found.");
  return (await authorizeOrg(principal, reporter.orgSlug, "org.manage_service_accounts")).org.id;
}

const ACCOUNT_SELECT = {
  id: true,
  name: true,
  orgId: true,
  scope: true,
  teamId: true,
  org: { select: { slug: true } },
} as const;
type ReportedAccount = {
  id: string;
  name: string;
  orgId: string;
  scope: "ORG" | "TEAM";
  teamId: string;
  org: { slug: string };
};

/** A reported credential the reporter may revoke, found before the report's transaction. */
type Found =
  | {
      kind: "api_key";
      key: { id: string; name: string; last4: string; revoked: boolean };
      account: ReportedAccount;
    }
  | {
      kind: "access_token";
      token: { id: string; issuer: string; subject: string; expiresAt: Date };
      account: ReportedAccount;
    };

/** The same rule for keys and access tokens: the reporter's org, and an ADMIN account's reach. */
function mayRevoke(reporter: Reporter, orgId: string | null, account: ReportedAccount): boolean {
  if (orgId !== null && account.orgId !== orgId) return false;
  if (reporter.kind === "principal" && isServiceAccountPrincipal(reporter.principal)) {
    return decideAccountManagement(reporter.principal.serviceAccount, account, "keys") === "allowed";
  }
  return true;
}

/**
 * The credential a reported token names, when the whole token is right (a known id with the
 * wrong secret proves nothing and is "unknown") and the reporter may revoke it; else null.
 */
async function findReported(
  token: string,
  reporter: Reporter,
  orgId: string | null,
  now: Date,
): Promise<Found | null> {
  const key = parseApiKey(token);
  if (key) {
    const row = await db.apiKey.findUnique({
      where: { keyId: key.keyId },
      select: {
        id: true,
        name: true,
        last4: true,
        secretHash: true,
        revokedAt: true,
        serviceAccount: { select: ACCOUNT_SELECT },
      },
    });
    const account = row?.serviceAccount;
    if (!row || !account || !secretMatches(key.secret, row.secretHash)) return null;
    if (!mayRevoke(reporter, orgId, account)) return null;
    return {
      kind: "api_key",
      key: { id: row.id, name: row.name, last4: row.last4, revoked: row.revokedAt !== null },
      account,
    };
  }
  const access = parseApiKey(token, ACCESS_TOKEN_PREFIX);
  if (access) {
    const row = await db.accessToken.findUnique({
      where: { tokenId: access.keyId },
      select: {
        id: true,
        secretHash: true,
        issuer: true,
        subject: true,
        expiresAt: true,
        serviceAccount: { select: ACCOUNT_SELECT },
      },
    });
    if (!row || !secretMatches(access.secret, row.secretHash)) return null;
    // An expired token opens nothing any more: there is nothing to revoke.
    if (row.expiresAt.getTime() <= now.getTime()) return null;
    if (!mayRevoke(reporter, orgId, row.serviceAccount)) return null;
    const { serviceAccount: account, ...rest } = row;
    return {
      kind: "access_token",
      token: { id: rest.id, issuer: rest.issuer, subject: rest.subject, expiresAt: rest.expiresAt },
      account,
    };
  }
  return null;
}

/**
 * Revokes one found credential inside the report's transaction and audits it. The write is
 * conditional, so a concurrent report or revocation of the same credential is told apart
 * ("already revoked", "unknown") instead of being revoked and audited twice.
 */
async function revoke(
  tx: Tx,
  found: Found,
  item: { type?: string; url?: string; source?: string },
  reporter: Reporter,
  now: Date,
): Promise<LeakStatus> {
  const foundAt = whereFound(item, reporter);
  const source: Pick<AuditEventInput, "actor" | "ip" | "userAgent"> =
    reporter.kind === "scanner"
      ? { actor: { type: "SYSTEM", identity: "system" }, ip: reporter.ip, userAgent: reporter.userAgent }
      : auditSourceOf(reporter.principal);
  const { account } = found;
  const target = {
    type: "service_account",
    id: account.id,
    name: serviceAccountIdentity(account.name, account.org.slug),
  };
  if (found.kind === "api_key") {
    const { count } = await tx.apiKey.updateMany({
      where: { id: found.key.id, revokedAt: null },
      data: {
        revokedAt: now,
        revokedByIdentity:
          reporter.kind === "scanner" ? "secret scanning" : principalIdentity(reporter.principal),
        leakedAt: now,
        leakSource: foundAt,
      },
    });
    if (count === 0) return "already_revoked";
    await recordAudit(tx, {
      orgId: account.orgId,
      ...source,
      action: "api_key.leaked",
      target,
      metadata: {
        keyName: found.key.name,
        key: maskedKey(found.key.last4),
        foundAt,
        type: item.type ?? null,
      },
    });
    return "revoked";
  }
  const { count } = await tx.accessToken.deleteMany({
    where: { id: found.token.id, expiresAt: { gt: now } },
  });
  if (count === 0) return "unknown";
  await recordAudit(tx, {
    orgId: account.orgId,
    ...source,
    action: "access_token.leaked",
    target,
    metadata: {
      // The id the token_exchange.granted event recorded when the token was issued.
      grantId: found.token.id,
      issuer: found.token.issuer,
      subject: found.token.subject,
      expiresAt: found.token.expiresAt.toISOString(),
      foundAt,
      type: item.type ?? null,
    },
  });
  return "revoked";
}

/**
 * Revokes every reported key and access token the reporter may reach; one result per reported
 * token, in order. The whole report is validated first and its changes commit in one
 * transaction, so a report is applied entirely or not at all.
 */
export async function reportLeakedKeys(reporter: Reporter, input: unknown): Promise<LeakResult[]> {
  const parsed = ZLeakReport.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
    throw new AppError("INVALID", `The report is not valid: ${where}${issue.message}.`);
  }
  const orgId = await reporterOrgId(reporter);
  const now = new Date();
  const items: { item: TLeakReport[number]; tokenHash: string; found: Found | null }[] = [];
  for (const item of parsed.data) {
    const found = await findReported(item.token.trim(), reporter, orgId, now);
    items.push({ item, tokenHash: sha256(item.token), found });
  }
  const nothingToRevoke = items.every(
    ({ found }) => !found || (found.kind === "api_key" && found.key.revoked),
  );
  const statuses = nothingToRevoke
    ? items.map(({ found }): LeakStatus => (found ? "already_revoked" : "unknown"))
    : await db.$transaction(
        async (tx) => {
          // Every account the report touches is locked first, in one order (by id), as account
          // deletion and key creation lock it: two reports, or a report racing a deletion, then
          // wait for each other instead of deadlocking.
          const accountIds = [
            ...new Set(items.flatMap(({ found }) => (found ? [found.account.id] : []))),
          ].sort();
          for (const id of accountIds) await lockRow(tx, "serviceAccount", id);
          const out: LeakStatus[] = [];
          for (const { item, found } of items) {
            out.push(found ? await revoke(tx, found, item, reporter, now) : "unknown");
          }
          return out;
        },
        // A full report is up to 200 statements.
        { timeout: 20_000 },
      );
  if (statuses.includes("revoked")) {
    invalidateCredentialCache();
    // Rule 30: each leaked key newly revoked here is mailed once, after the commit.
    await mailKeyNotices(
      items.flatMap(({ item, found }, i) =>
        found?.kind === "api_key" && statuses[i] === "revoked"
          ? [
              {
                kind: "leaked" as const,
                orgId: found.account.orgId,
                accountId: found.account.id,
                accountIdentity: serviceAccountIdentity(found.account.name, found.account.org.slug),
                keyName: found.key.name,
                last4: found.key.last4,
                foundAt: whereFound(item, reporter),
              },
            ]
          : [],
      ),
    );
  }
  return items.map(({ tokenHash }, i) => ({ tokenHash, status: statuses[i]! }));
}

/** The account page's banner goes away once an admin has seen the leak. */
export async function acknowledgeLeaks(principal: Principal, accountId: string) {
  const account = await loadManagedAccount(principal, accountId, "keys");
  await db.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({
      where: { serviceAccountId: account.id, leakedAt: { not: null }, leakAcknowledgedAt: null },
      data: { leakAcknowledgedAt: new Date() },
    });
    if (count > 0) {
      await recordAudit(tx, {
        orgId: account.orgId,
        ...auditSourceOf(principal),
        action: "api_key.leak_acknowledged",
        target: { type: "service_account", id: account.id, name: account.identity },
        metadata: { keys: count },
      });
    }
  });
}

const keyObjects = new WeakMap<string[], crypto.KeyObject[]>();

/**
 * Public keys (PEM, ECDSA P-256) whose signatures on secret-scanning reports are trusted: those
 * of DEPUTY_SECRET_SCANNING_KEYS, checked and read when Deputy started (lib/config/env.ts), so a
 * file that changes or disappears later cannot make a report fail.
 */
function scanningKeys(): crypto.KeyObject[] {
  const pems = config().secretScanningKeys?.publicKeys;
  if (!pems) return [];
  let keys = keyObjects.get(pems);
  if (!keys) {
    keys = pems.map((pem) => crypto.createPublicKey(pem));
    keyObjects.set(pems, keys);
  }
  return keys;
}

/** True when DEPUTY_SECRET_SCANNING_KEYS names keys: signed reports can be verified at all. */
export function acceptsScanningReports(): boolean {
  return scanningKeys().length > 0;
}

/**
 * Verifies a secret-scanning report's signature over the raw body, before it is parsed:
 * `Github-Public-Key-Signature` is a base64 ECDSA (SHA-256, DER) signature by one of the keys.
 */
export function verifyScanningSignature(rawBody: Buffer, signature: string | undefined): boolean {
  if (!signature || signature.length > 512) return false;
  let der: Buffer;
  try {
    der = Buffer.from(signature, "base64");
  } catch {
    return false;
  }
  return scanningKeys().some((key) => {
    try {
      return crypto.verify("sha256", rawBody, key, der);
    } catch {
      return false;
    }
  });
}

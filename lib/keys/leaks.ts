// Leaked keys (rule 22): a key reported as leaked — pasted by an org admin, sent by an ADMIN
// account, or named in a secret-scanning report signed with a key of DEPUTY_SECRET_SCANNING_KEYS
// (GitHub's scheme) — is revoked at once, marked leaked with where it was found, and audited.
// A report of an unknown or already revoked key changes nothing and says so. Answers never echo a
// token: each result names its token by SHA-256.
import crypto from "node:crypto";
import fs from "node:fs";
import { z } from "zod";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { authorizeOrg } from "@/lib/authz/guard";
import { decideAccountManagement } from "@/lib/authz/management";
import {
  auditSourceOf,
  isServiceAccountPrincipal,
  principalIdentity,
  type Principal,
} from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { invalidateCredentialCache } from "./credential-cache";
import { maskedKey, parseApiKey, secretMatches } from "./format";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { loadManagedAccount } from "@/lib/service-accounts/accounts";

export const MAX_REPORTED_TOKENS = 100;

/** GitHub's secret-scanning format: a list of {token, type, url, source}. */
export const ZLeakReport = z
  .array(
    z
      .object({
        token: z.string().max(512),
        type: z.string().max(100).optional(),
        url: z.string().max(2048).optional(),
        source: z.string().max(100).optional(),
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

/** Where a report says the key was found, as one short line. */
function whereFound(item: { url?: string; source?: string }, reporter: Reporter): string {
  const origin =
    reporter.kind === "scanner" ? "secret scanning" : `reported by ${principalIdentity(reporter.principal)}`;
  return [origin, item.source, item.url].filter(Boolean).join(" — ").slice(0, 500);
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
  return (await authorizeOrg(principal.user.id, reporter.orgSlug, "org.manage_service_accounts")).org.id;
}

/** Revokes every reported key the reporter may reach; one result per reported token, in order. */
export async function reportLeakedKeys(reporter: Reporter, input: unknown): Promise<LeakResult[]> {
  const parsed = ZLeakReport.safeParse(input);
  if (!parsed.success) {
    throw new AppError("INVALID", `The report is not valid: ${parsed.error.issues[0]!.message}.`);
  }
  const orgId = await reporterOrgId(reporter);
  const results: LeakResult[] = [];
  let changed = false;
  for (const item of parsed.data) {
    const tokenHash = sha256(item.token);
    const key = parseApiKey(item.token.trim());
    if (!key) {
      results.push({ tokenHash, status: "unknown" });
      continue;
    }
    const row = await db.apiKey.findUnique({
      where: { keyId: key.keyId },
      select: {
        id: true,
        name: true,
        last4: true,
        secretHash: true,
        revokedAt: true,
        serviceAccount: {
          select: {
            id: true,
            name: true,
            orgId: true,
            scope: true,
            teamId: true,
            org: { select: { slug: true } },
          },
        },
      },
    });
    // Only the whole token proves a leak: a key id with the wrong secret is "unknown".
    const account = row?.serviceAccount;
    const reachable =
      row !== null &&
      account !== null &&
      account !== undefined &&
      secretMatches(key.secret, row.secretHash) &&
      (orgId === null || account.orgId === orgId) &&
      (reporter.kind !== "principal" ||
        !isServiceAccountPrincipal(reporter.principal) ||
        decideAccountManagement(reporter.principal.serviceAccount, account, "keys") === "allowed");
    if (!reachable || !row || !account) {
      results.push({ tokenHash, status: "unknown" });
      continue;
    }
    if (row.revokedAt) {
      results.push({ tokenHash, status: "already_revoked" });
      continue;
    }
    const found = whereFound(item, reporter);
    await db.$transaction(async (tx) => {
      const now = new Date();
      await tx.apiKey.update({
        where: { id: row.id },
        data: {
          revokedAt: now,
          revokedByIdentity:
            reporter.kind === "scanner" ? "secret scanning" : principalIdentity(reporter.principal),
          leakedAt: now,
          leakSource: found,
        },
      });
      await recordAudit(tx, {
        orgId: account.orgId,
        ...(reporter.kind === "scanner"
          ? { actor: { type: "SYSTEM", identity: "system" }, ip: reporter.ip, userAgent: reporter.userAgent }
          : auditSourceOf(reporter.principal)),
        action: "api_key.leaked",
        target: {
          type: "service_account",
          id: account.id,
          name: serviceAccountIdentity(account.name, account.org.slug),
        },
        metadata: { keyName: row.name, key: maskedKey(row.last4), foundAt: found, type: item.type ?? null },
      });
    });
    changed = true;
    results.push({ tokenHash, status: "revoked" });
  }
  if (changed) invalidateCredentialCache();
  return results;
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

/** Public keys (PEM, ECDSA P-256) whose signatures on secret-scanning reports are trusted. */
function scanningKeys(): crypto.KeyObject[] {
  const file = process.env.DEPUTY_SECRET_SCANNING_KEYS;
  if (!file) return [];
  const text = fs.readFileSync(file, "utf8");
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  return pems.map((pem) => crypto.createPublicKey(pem));
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

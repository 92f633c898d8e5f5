// The key lifecycle for any principal: create (the only place a secret exists, once), list, revoke.
import { isBoundedId } from "@/lib/validation/text";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, createdByOf, principalIdentity, type Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { generateApiKey, maskedKey } from "@/lib/keys/format";
import { invalidateCredentialCache } from "@/lib/keys/credential-cache";
import { ZNewApiKey, type TNewApiKey } from "./schemas";
import { DAY_MS, keyStatus, liveKeyWhere } from "./key-state";
import { loadManagedAccount } from "./accounts";
import { creatorIdentities } from "./creators";

/**
 * Creates an API key. The returned token is the only time the secret exists outside the
 * caller's request: the database keeps the key id, a hash of the secret and the last 4 characters.
 */
export async function createKey(principal: Principal, accountRef: unknown, input: TNewApiKey) {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  if (account.authMethod === "FEDERATED") {
    throw new AppError(
      "CONFLICT",
      "A federated service account can't own API keys: it authenticates with tokens from its identity provider.",
    );
  }
  if (account.status === "DISABLED") {
    throw new AppError("CONFLICT", "This service account is disabled. Enable it before creating keys.");
  }
  const data = parseInput(ZNewApiKey, input);
  const maxDays = account.org.maxKeyLifetimeDays;
  if (maxDays !== null && (data.expiresInDays === null || data.expiresInDays > maxDays)) {
    throw new AppError("INVALID", `Keys in this organization must expire within ${maxDays} days.`, {
      expiresIn: `Keys in this organization must expire within ${maxDays} days.`,
    });
  }
  const now = new Date();
  const expiresAt =
    data.expiresInDays === null ? null : new Date(now.getTime() + data.expiresInDays * DAY_MS);
  const generated = generateApiKey();

  const key = await db.$transaction(async (tx) => {
    if (account.org.maxKeysPerAccount !== null) {
      const live = await tx.apiKey.count({ where: { serviceAccountId: account.id, ...liveKeyWhere(now) } });
      if (live >= account.org.maxKeysPerAccount) {
        throw new AppError(
          "LIMIT_REACHED",
          `${account.name} already has ${live} active keys, this organization's quota. Revoke one before creating another.`,
        );
      }
    }
    const created = await tx.apiKey.create({
      data: {
        keyId: generated.keyId,
        secretHash: generated.secretHash,
        last4: generated.last4,
        name: data.name,
        serviceAccountId: account.id,
        ...createdByOf(principal),
        expiresAt,
      },
      select: { id: true, name: true, last4: true, expiresAt: true, createdAt: true },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(principal),
      action: "api_key.created",
      target: { type: "service_account", id: account.id, name: account.identity },
      metadata: {
        keyName: created.name,
        key: maskedKey(created.last4),
        expiresAt: created.expiresAt?.toISOString() ?? null,
      },
    });
    return created;
  });
  return {
    id: key.id,
    name: key.name,
    last4: key.last4,
    createdAt: key.createdAt,
    createdBy: principalIdentity(principal),
    expiresAt: key.expiresAt,
    lastUsedAt: null,
    status: "active" as const,
    secret: generated.token,
  };
}

/** An account's keys, newest first: never a hash, never a secret. */
export async function listKeys(principal: Principal, accountRef: unknown) {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  const keys = await db.apiKey.findMany({
    where: { serviceAccountId: account.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: {
      id: true,
      name: true,
      last4: true,
      createdAt: true,
      createdByUserId: true,
      createdByServiceAccountId: true,
      expiresAt: true,
      lastUsedAt: true,
      revokedAt: true,
    },
  });
  const creators = await creatorIdentities(keys, account.org.slug);
  const now = Date.now();
  return keys.map((k) => ({
    id: k.id,
    name: k.name,
    last4: k.last4,
    createdAt: k.createdAt,
    createdBy: creators.of(k),
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUsedAt,
    status: keyStatus(k, now),
  }));
}

/** Revokes a key of the account, by its id or by the key id its token carries (dpt_<keyId>_…). */
export async function revokeKey(principal: Principal, accountRef: unknown, keyRef: unknown) {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  if (!isBoundedId(keyRef)) throw new AppError("NOT_FOUND", "API key not found.");
  await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({
      where: { serviceAccountId: account.id, OR: [{ id: keyRef }, { keyId: keyRef }] },
      select: { id: true, name: true, last4: true, revokedAt: true },
    });
    if (!key) throw new AppError("NOT_FOUND", "API key not found on this service account.");
    if (key.revokedAt) return;
    await tx.apiKey.update({
      where: { id: key.id, serviceAccountId: account.id },
      data: { revokedAt: new Date(), revokedByIdentity: principalIdentity(principal) },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(principal),
      action: "api_key.revoked",
      target: { type: "service_account", id: account.id, name: account.identity },
      metadata: { keyName: key.name, key: maskedKey(key.last4) },
    });
  });
  invalidateCredentialCache();
}

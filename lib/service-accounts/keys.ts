// The key lifecycle: create (the only place a secret exists, once) and revoke.
import { isBoundedId } from "@/lib/validation/text";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type Caller } from "@/lib/auth/caller";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { generateApiKey, maskedKey } from "@/lib/keys/format";
import { invalidateCredentialCache } from "@/lib/keys/credential-cache";
import { ZCreateApiKeyInput } from "./schemas";
import { DAY_MS, liveKeyWhere } from "./key-state";
import { loadManagedAccount } from "./accounts";

/**
 * Creates an API key. The returned token is the only time the secret exists outside the
 * caller's request: the database keeps the key id, a hash of the secret and the last 4 characters.
 */
export async function createApiKey(caller: Caller, accountId: unknown, input: unknown) {
  const account = await loadManagedAccount(caller, accountId);
  if (account.authMethod === "FEDERATED") {
    throw new AppError(
      "INVALID",
      "A federated service account can't own API keys: it authenticates with tokens from its identity provider.",
    );
  }
  if (account.status === "DISABLED") {
    throw new AppError("INVALID", "This service account is disabled. Enable it before creating keys.");
  }
  const data = parseInput(ZCreateApiKeyInput, input);
  const maxDays = account.org.maxKeyLifetimeDays;
  if (maxDays !== null && (data.expiresIn === "never" || Number(data.expiresIn) > maxDays)) {
    throw new AppError("INVALID", "Check the highlighted fields.", {
      expiresIn: `Keys in this organization must expire within ${maxDays} days.`,
    });
  }
  const now = new Date();
  const expiresAt =
    data.expiresIn === "never" ? null : new Date(now.getTime() + Number(data.expiresIn) * DAY_MS);
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
        createdByUserId: caller.user.id,
        expiresAt,
      },
      select: { id: true, name: true, last4: true, expiresAt: true },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(caller),
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
  return { id: key.id, name: key.name, last4: key.last4, expiresAt: key.expiresAt, secret: generated.token };
}

export async function revokeApiKey(caller: Caller, accountId: unknown, apiKeyId: unknown) {
  const account = await loadManagedAccount(caller, accountId);
  if (!isBoundedId(apiKeyId)) throw new AppError("NOT_FOUND", "API key not found.");
  await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({
      where: { id: apiKeyId, serviceAccountId: account.id },
      select: { id: true, name: true, last4: true, revokedAt: true },
    });
    if (!key) throw new AppError("NOT_FOUND", "API key not found on this service account.");
    if (key.revokedAt) return;
    await tx.apiKey.update({
      where: { id: key.id, serviceAccountId: account.id },
      data: { revokedAt: new Date(), revokedByIdentity: caller.user.email },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(caller),
      action: "api_key.revoked",
      target: { type: "service_account", id: account.id, name: account.identity },
      metadata: { keyName: key.name, key: maskedKey(key.last4) },
    });
  });
  invalidateCredentialCache();
}

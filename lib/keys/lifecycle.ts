// The key lifecycle for any principal: create (the only place a secret exists, once), list,
// rename, rotate, revoke. lib/keys/ is the one home of everything about API keys (format, schemas,
// state, lifecycle, verification, last use, leaks); the accounts that own them are
// lib/service-accounts/'s, which this module asks whether the principal may manage an account.
import { isBoundedId } from "@/lib/validation/text";
import { db, type Tx } from "@/lib/db";
import { lockRow } from "@/lib/db/row-lock";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, createdByOf, principalIdentity, type Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { generateApiKey, maskedKey } from "./format";
import { invalidateCredentialCache } from "./credential-cache";
import { ZKeyChanges, ZNewApiKey, ZRotation, type TNewApiKey, type TRotation } from "./schemas";
import { DAY_MS, KEY_ROW_SELECT, keyStatus, liveKeyWhere } from "./state";
import { loadManagedAccount } from "@/lib/service-accounts/accounts";
import {
  assertRestrictionsFit,
  restrictionColumns,
  restrictionsOfKey,
  storedRestrictions,
} from "./key-restrictions";
import { restrictionsOf, type Restrictions } from "./restrictions";
import { creatorIdentities } from "@/lib/service-accounts/creators";
import { orgPolicies, policyDenied } from "@/lib/orgs/policies";
import { newKeyRefusal } from "@/lib/orgs/policy-rules";

/**
 * Takes the account's row lock for a key change and reads, under it, what that change depends
 * on: the account still there and active, and the org's current keys-per-account quota. Every
 * creation and rotation of the account's keys goes through here first, so on PostgreSQL they take
 * turns (no two of them count the same keys, none of them rotates a key another just rotated); on
 * SQLite the transaction already holds the write lock.
 */
async function lockAccountForKeys(tx: Tx, accountId: string, change: "creating" | "rotating") {
  await lockRow(tx, "serviceAccount", accountId);
  const current = await tx.serviceAccount.findFirst({
    where: { id: accountId, deletedAt: null },
    select: { status: true, org: { select: { maxKeysPerAccount: true } } },
  });
  if (!current) throw new AppError("NOT_FOUND", "Service account not found.");
  if (current.status === "DISABLED") {
    throw new AppError("CONFLICT", `This service account is disabled. Enable it before ${change} keys.`);
  }
  return { maxKeysPerAccount: current.org.maxKeysPerAccount };
}

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
  const restrictions = restrictionsOf(data.restrictions);

  const key = await db.$transaction(async (tx) => {
    const { maxKeysPerAccount } = await lockAccountForKeys(tx, account.id, "creating");
    // Rule 31, read under the account's lock: every door refuses alike.
    const refusal = newKeyRefusal(
      await orgPolicies(tx, account.orgId),
      account.scope,
      restrictions.allowedIps,
    );
    if (refusal) throw policyDenied(refusal);
    await assertRestrictionsFit(tx, account, restrictions);
    if (maxKeysPerAccount !== null) {
      const live = await tx.apiKey.count({ where: { serviceAccountId: account.id, ...liveKeyWhere(now) } });
      if (live >= maxKeysPerAccount) {
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
        ...restrictionColumns(restrictions),
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
        ...restrictionsMetadata(restrictions),
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
    restrictions: restrictionsOfKey(restrictionColumns(restrictions), account.role),
    secret: generated.token,
  };
}

/** Restrictions in an audit event: only those set, so an unrestricted key's event stays short. */
function restrictionsMetadata(restrictions: Restrictions) {
  const set = Object.fromEntries(Object.entries(restrictions).filter(([, value]) => value !== null));
  return Object.keys(set).length > 0 ? { restrictions: set } : {};
}

/** An account's keys, newest first: never a hash, never a secret. */
export async function listKeys(principal: Principal, accountRef: unknown) {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  const keys = await db.apiKey.findMany({
    where: { serviceAccountId: account.id },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: KEY_ROW_SELECT,
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
    restrictions: restrictionsOfKey(k, account.role),
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

/**
 * Renames a key of the account (its id or its token's key id) and changes its restrictions (rule
 * 24: a field left out keeps its value, null lifts it; the result may only narrow the account);
 * answers the key as listed.
 */
export async function updateKey(principal: Principal, accountRef: unknown, keyRef: unknown, input: unknown) {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  if (!isBoundedId(keyRef)) throw new AppError("NOT_FOUND", "API key not found.");
  const changes = parseInput(ZKeyChanges, input);
  let restricted = false;
  const keyId = await db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({
      where: { serviceAccountId: account.id, OR: [{ id: keyRef }, { keyId: keyRef }] },
      select: { id: true, name: true, last4: true, permission: true, projects: true, allowedIps: true },
    });
    if (!key) throw new AppError("NOT_FOUND", "API key not found on this service account.");
    if (changes.restrictions !== undefined) {
      const before = storedRestrictions(key);
      const after: Restrictions = { ...before };
      for (const field of ["permission", "projects", "allowedIps"] as const) {
        const value = changes.restrictions[field];
        if (value !== undefined) (after as Record<string, unknown>)[field] = value;
      }
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        const policies = await orgPolicies(tx, account.orgId);
        if (policies.requireAllowedIpsForOrgScope && account.scope === "ORG" && !after.allowedIps) {
          throw policyDenied(
            "The organization's policy requires allowed IP ranges on keys of org-scoped accounts (requireAllowedIpsForOrgScope): they cannot be lifted.",
          );
        }
        await assertRestrictionsFit(tx, account, after);
        await tx.apiKey.update({
          where: { id: key.id, serviceAccountId: account.id },
          data: restrictionColumns(after),
        });
        await recordAudit(tx, {
          orgId: account.orgId,
          ...auditSourceOf(principal),
          action: "api_key.restrictions_changed",
          target: { type: "service_account", id: account.id, name: account.identity },
          metadata: { keyName: key.name, key: maskedKey(key.last4), from: before, to: after },
        });
        restricted = true;
      }
    }
    if (changes.name !== undefined && changes.name !== key.name) {
      await tx.apiKey.update({
        where: { id: key.id, serviceAccountId: account.id },
        data: { name: changes.name },
      });
      await recordAudit(tx, {
        orgId: account.orgId,
        ...auditSourceOf(principal),
        action: "api_key.renamed",
        target: { type: "service_account", id: account.id, name: account.identity },
        metadata: { key: maskedKey(key.last4), from: key.name, to: changes.name },
      });
    }
    return key.id;
  });
  // A narrower key must not keep its old reach from the cache, here or on other instances.
  if (restricted) invalidateCredentialCache();
  const listed = (await listKeys(principal, account.id)).find((k) => k.id === keyId);
  if (!listed) throw new AppError("NOT_FOUND", "API key not found on this service account.");
  return listed;
}

const HOUR_MS = 3_600_000;

/**
 * Rotates a key (rule 21): a new key of the same account, shown once, and the old key working
 * until the end of the grace period (0 = refused at once), then refused as expired. The new key
 * keeps the old one's name and lifetime (within the org's maximum). A key in its grace period
 * still counts toward the keys-per-account quota. Both steps are audited in one transaction.
 */
export async function rotateKey(
  principal: Principal,
  accountRef: unknown,
  keyRef: unknown,
  input: TRotation,
) {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  if (!isBoundedId(keyRef)) throw new AppError("NOT_FOUND", "API key not found.");
  const { graceHours } = parseInput(ZRotation, input);
  if (account.status === "DISABLED") {
    throw new AppError("CONFLICT", "This service account is disabled. Enable it before rotating keys.");
  }
  const now = new Date();
  const generated = generateApiKey();
  const result = await db.$transaction(async (tx) => {
    // Under the lock, so of parallel rotations of one key exactly one finds replacedById empty.
    const { maxKeysPerAccount } = await lockAccountForKeys(tx, account.id, "rotating");
    // A rotation makes a new key: the API keys policy applies (its restrictions are the old key's).
    const policies = await orgPolicies(tx, account.orgId);
    const rotationRefusal = newKeyRefusal(
      { ...policies, requireAllowedIpsForOrgScope: false },
      account.scope,
      null,
    );
    if (rotationRefusal) throw policyDenied(rotationRefusal);
    const old = await tx.apiKey.findFirst({
      where: { serviceAccountId: account.id, OR: [{ id: keyRef }, { keyId: keyRef }] },
      select: {
        id: true,
        name: true,
        last4: true,
        createdAt: true,
        expiresAt: true,
        revokedAt: true,
        replacedById: true,
        lastUsedAt: true,
        createdByUserId: true,
        createdByServiceAccountId: true,
        permission: true,
        projects: true,
        allowedIps: true,
      },
    });
    if (!old) throw new AppError("NOT_FOUND", "API key not found on this service account.");
    if (old.revokedAt)
      throw new AppError(
        "CONFLICT",
        `${old.name} (${maskedKey(old.last4)}) is revoked: create a new key instead.`,
      );
    if (old.expiresAt && old.expiresAt <= now) {
      throw new AppError(
        "CONFLICT",
        `${old.name} (${maskedKey(old.last4)}) has expired: create a new key instead.`,
      );
    }
    if (old.replacedById) {
      throw new AppError(
        "CONFLICT",
        `${old.name} (${maskedKey(old.last4)}) was already rotated; rotate its replacement instead.`,
      );
    }
    const graceEnd = new Date(now.getTime() + graceHours * HOUR_MS);
    const oldStopsAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
    if (maxKeysPerAccount !== null) {
      const others = await tx.apiKey.count({
        where: { serviceAccountId: account.id, id: { not: old.id }, ...liveKeyWhere(now) },
      });
      const afterwards = others + 1 + (graceHours > 0 ? 1 : 0);
      if (afterwards > maxKeysPerAccount) {
        throw new AppError(
          "LIMIT_REACHED",
          `${account.name} would have ${afterwards} active keys during the grace period, over this organization's quota of ${maxKeysPerAccount}. Rotate with no grace period, or revoke another key first.`,
        );
      }
    }
    const lifetimeMs = old.expiresAt ? old.expiresAt.getTime() - old.createdAt.getTime() : null;
    const maxDays = account.org.maxKeyLifetimeDays;
    const cappedMs = maxDays === null ? lifetimeMs : Math.min(lifetimeMs ?? Infinity, maxDays * DAY_MS);
    const created = await tx.apiKey.create({
      data: {
        keyId: generated.keyId,
        secretHash: generated.secretHash,
        last4: generated.last4,
        name: old.name,
        serviceAccountId: account.id,
        ...createdByOf(principal),
        expiresAt: cappedMs === null ? null : new Date(now.getTime() + cappedMs),
        // Rule 24: the replacement may do exactly what the old key could.
        permission: old.permission,
        projects: old.projects,
        allowedIps: old.allowedIps,
      },
      select: { id: true, name: true, last4: true, expiresAt: true, createdAt: true },
    });
    await tx.apiKey.update({
      where: { id: old.id, serviceAccountId: account.id },
      data: { expiresAt: oldStopsAt, replacedById: created.id, rotatedAt: now },
    });
    const target = { type: "service_account", id: account.id, name: account.identity };
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(principal),
      action: "api_key.created",
      target,
      metadata: {
        keyName: created.name,
        key: maskedKey(created.last4),
        expiresAt: created.expiresAt?.toISOString() ?? null,
        replaces: maskedKey(old.last4),
      },
    });
    await recordAudit(tx, {
      orgId: account.orgId,
      ...auditSourceOf(principal),
      action: "api_key.rotated",
      target,
      metadata: {
        keyName: old.name,
        key: maskedKey(old.last4),
        replacedBy: maskedKey(created.last4),
        graceHours,
        stopsWorkingAt: oldStopsAt.toISOString(),
      },
    });
    return { old: { ...old, expiresAt: oldStopsAt }, created };
  });
  invalidateCredentialCache();
  const creators = await creatorIdentities([result.old], account.org.slug);
  return {
    key: {
      id: result.created.id,
      name: result.created.name,
      last4: result.created.last4,
      createdAt: result.created.createdAt,
      createdBy: principalIdentity(principal),
      expiresAt: result.created.expiresAt,
      lastUsedAt: null,
      status: "active" as const,
      restrictions: restrictionsOfKey(result.old, account.role),
      secret: generated.token,
    },
    previous: {
      id: result.old.id,
      name: result.old.name,
      last4: result.old.last4,
      createdAt: result.old.createdAt,
      createdBy: creators.of(result.old),
      expiresAt: result.old.expiresAt,
      lastUsedAt: result.old.lastUsedAt,
      status: keyStatus({ revokedAt: null, expiresAt: result.old.expiresAt }, Date.now()),
      restrictions: restrictionsOfKey(result.old, account.role),
    },
  };
}

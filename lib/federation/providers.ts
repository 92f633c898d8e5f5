// Identity providers: an org's trusted JWT issuers (SPEC §1, §3, §4). An issuer is checked —
// discovery and key set fetched — before it is saved; its public keys are cached in the
// database for every instance, refreshed when older than an hour and when a token names an
// unknown key id, at most once a minute per provider, so a flood of bad key ids cannot make
// Deputy hammer the issuer.
import type { JWK } from "jose";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { recordAudit } from "@/lib/audit/record";
import { authorizeOrgAdmin } from "@/lib/authz/guard";
import { config } from "@/lib/config/env";
import { auditSourceOf, createdByOf, type Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { isBoundedId, zText } from "@/lib/validation/text";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { FetchProblem, fetchJson } from "./fetch";
import { issuerUrlProblem } from "./issuer-url";

export const KEY_MAX_AGE_MS = 60 * 60 * 1000;
export const UNKNOWN_KID_REFRESH_INTERVAL_MS = 60 * 1000;
const MAX_KEYS = 50;

const ZUrl = zText()
  .trim()
  .min(1, "Enter the issuer URL.")
  .max(512, "Use at most 512 characters.")
  .refine((value) => URL.canParse(value), "Enter a URL like https://token.actions.githubusercontent.com.");

export const ZNewIdentityProvider = z
  .object({
    issuer: ZUrl,
    name: zText().trim().min(1, "Enter a name, like GitHub Actions.").max(100, "Use at most 100 characters."),
    jwksUri: ZUrl.optional().or(z.literal("").transform(() => undefined)),
  })
  .strict();
export type TNewIdentityProvider = z.input<typeof ZNewIdentityProvider>;

/** The org whose providers the principal manages: org admins, or an org-scoped ADMIN account. */
export function resolveProviderOrg(principal: Principal, orgSlug?: string) {
  return authorizeOrgAdmin(
    principal,
    orgSlug,
    "org.manage_identity_providers",
    "Only org-scoped ADMIN service accounts manage identity providers.",
  );
}

/** Only public keys of asymmetric types; private members dropped whatever the issuer served. */
function publicKeys(jwks: unknown, where: string): JWK[] {
  const keys = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw new FetchProblem(`${where} is not a key set: it has no "keys" list.`);
  const usable: JWK[] = [];
  for (const key of keys.slice(0, MAX_KEYS)) {
    if (!key || typeof key !== "object") continue;
    const { kty } = key as JWK;
    if (kty !== "RSA" && kty !== "EC" && kty !== "OKP") continue;
    const copy: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(key as Record<string, unknown>)) {
      if (!["d", "p", "q", "dp", "dq", "qi", "k", "oth"].includes(name)) copy[name] = value;
    }
    usable.push(copy);
  }
  if (usable.length === 0) throw new FetchProblem(`${where} holds no RSA, EC or OKP public key.`);
  return usable;
}

/** Discovers (unless explicit) and fetches the key set of an issuer; throws FetchProblem. */
export async function fetchSigningKeys(issuer: string, explicitJwksUri: string | null | undefined) {
  const allowPrivate = config().allowPrivateIssuers;
  let jwksUri = explicitJwksUri ?? null;
  if (!jwksUri) {
    const discoveryUrl = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const discovery = (await fetchJson(discoveryUrl, { allowPrivate })) as {
      issuer?: unknown;
      jwks_uri?: unknown;
    };
    if (discovery?.issuer !== issuer) {
      throw new FetchProblem(
        `${discoveryUrl} names the issuer ${JSON.stringify(discovery?.issuer ?? null)}, not ${issuer}: tokens would never match. Use the issuer exactly as the provider writes it.`,
      );
    }
    if (typeof discovery.jwks_uri !== "string") throw new FetchProblem(`${discoveryUrl} has no jwks_uri.`);
    jwksUri = discovery.jwks_uri;
  }
  const keys = publicKeys(await fetchJson(jwksUri, { allowPrivate }), jwksUri);
  return { jwksUri, keys };
}

function checkIssuerUrl(issuer: string) {
  const problem = issuerUrlProblem(issuer, config().allowPrivateIssuers);
  if (problem) throw new AppError("INVALID", problem, { issuer: problem });
}

/** Registers an issuer after fetching its keys; says exactly what failed when it cannot. */
export async function addIdentityProvider(
  principal: Principal,
  orgSlug: string | undefined,
  input: TNewIdentityProvider,
) {
  const org = await resolveProviderOrg(principal, orgSlug);
  const data = parseInput(ZNewIdentityProvider, input);
  checkIssuerUrl(data.issuer);
  const existing = await db.identityProvider.findUnique({
    where: { orgId_issuer: { orgId: org.id, issuer: data.issuer } },
    select: { id: true },
  });
  if (existing) {
    throw new AppError("CONFLICT", `${data.issuer} is already registered in this organization.`, {
      issuer: "Already registered.",
    });
  }
  let fetched: Awaited<ReturnType<typeof fetchSigningKeys>>;
  try {
    fetched = await fetchSigningKeys(data.issuer, data.jwksUri);
  } catch (error) {
    if (error instanceof FetchProblem) {
      throw new AppError("INVALID", `Deputy could not use this issuer: ${error.message}`, {
        [data.jwksUri ? "jwksUri" : "issuer"]: error.message,
      });
    }
    throw error;
  }
  return db.$transaction(async (tx) => {
    const provider = await tx.identityProvider.create({
      data: {
        orgId: org.id,
        issuer: data.issuer,
        name: data.name,
        jwksUri: data.jwksUri ?? null,
        resolvedJwksUri: fetched.jwksUri,
        jwks: { keys: fetched.keys } as unknown as Prisma.InputJsonObject,
        keyCount: fetched.keys.length,
        refreshedAt: new Date(),
        ...createdByOf(principal),
      },
      select: PROVIDER_SELECT,
    });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(principal),
      action: "identity_provider.added",
      target: { type: "identity_provider", id: provider.id, name: provider.issuer },
      metadata: { name: provider.name, jwksUri: fetched.jwksUri, keyCount: fetched.keys.length },
    });
    return provider;
  });
}

const PROVIDER_SELECT = {
  id: true,
  issuer: true,
  name: true,
  jwksUri: true,
  resolvedJwksUri: true,
  keyCount: true,
  refreshedAt: true,
} satisfies Prisma.IdentityProviderSelect;

/** An org's providers with the live accounts that trust each. */
export async function listIdentityProviders(principal: Principal, orgSlug?: string) {
  const org = await resolveProviderOrg(principal, orgSlug);
  const [providers, trusts] = await Promise.all([
    db.identityProvider.findMany({
      where: { orgId: org.id },
      orderBy: { issuer: "asc" },
      select: PROVIDER_SELECT,
    }),
    db.federatedIdentity.findMany({
      where: { serviceAccount: { orgId: org.id, deletedAt: null } },
      select: {
        issuer: true,
        serviceAccount: { select: { id: true, name: true, scope: true, team: { select: { slug: true } } } },
      },
    }),
  ]);
  return providers.map((provider) => ({
    ...provider,
    trustedBy: trusts
      .filter((t) => t.issuer === provider.issuer)
      .map((t) => ({
        id: t.serviceAccount.id,
        name: t.serviceAccount.name,
        identity: serviceAccountIdentity(t.serviceAccount.name, org.slug),
        href:
          t.serviceAccount.scope === "ORG"
            ? `/org/${org.slug}/service-accounts/${t.serviceAccount.name}`
            : `/${t.serviceAccount.team.slug}/service-accounts/${t.serviceAccount.name}`,
      })),
  }));
}

/** Removes a provider; refused while any live account trusts it. */
export async function removeIdentityProvider(
  principal: Principal,
  orgSlug: string | undefined,
  providerId: unknown,
) {
  const org = await resolveProviderOrg(principal, orgSlug);
  if (!isBoundedId(providerId)) throw new AppError("NOT_FOUND", "Identity provider not found.");
  await db.$transaction(async (tx) => {
    const provider = await tx.identityProvider.findFirst({
      where: { id: providerId, orgId: org.id },
      select: { id: true, issuer: true, name: true },
    });
    if (!provider) throw new AppError("NOT_FOUND", "Identity provider not found.");
    const trusting = await tx.federatedIdentity.findMany({
      where: { issuer: provider.issuer, serviceAccount: { orgId: org.id, deletedAt: null } },
      select: { serviceAccount: { select: { name: true } } },
      take: 5,
    });
    if (trusting.length > 0) {
      throw new AppError(
        "CONFLICT",
        `${provider.name} is trusted by ${trusting.map((t) => t.serviceAccount.name).join(", ")}. Change or delete those accounts first.`,
      );
    }
    await tx.identityProvider.delete({ where: { id: provider.id } });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(principal),
      action: "identity_provider.removed",
      target: { type: "identity_provider", id: provider.id, name: provider.issuer },
      metadata: { name: provider.name },
    });
  });
}

export type ProviderKeys = {
  id: string;
  orgId: string;
  orgSlug: string;
  issuer: string;
  jwksUri: string | null;
  keys: JWK[];
  refreshedAt: Date;
  refreshFailedAt: Date | null;
  kidRefreshAt: Date | null;
};

const refreshing = new Map<string, Promise<ProviderKeys>>();
// This instance's last unknown-kid refresh per provider. The row's kidRefreshAt holds it for
// every instance, but a request that loaded the row just before another request's refresh
// still sees the old time: this map closes that gap, so one provider is fetched at most once
// a minute however many tokens and accounts ask.
const lastKidRefresh = new Map<string, number>();

/**
 * Fetches the provider's keys again when allowed: when they are older than an hour, or (for an
 * unknown key id) when the last attempt is over a minute old. Keeps the old keys on failure.
 */
export async function refreshKeys(
  provider: ProviderKeys,
  reason: "stale" | "unknown_kid",
): Promise<ProviderKeys> {
  const now = Date.now();
  const recently = (at: Date | null) => at !== null && now - at.getTime() < UNKNOWN_KID_REFRESH_INTERVAL_MS;
  const localKidRefresh = lastKidRefresh.get(provider.id);
  const kidRefreshAt =
    localKidRefresh !== undefined &&
    (!provider.kidRefreshAt || localKidRefresh > provider.kidRefreshAt.getTime())
      ? new Date(localKidRefresh)
      : provider.kidRefreshAt;
  const due =
    reason === "stale"
      ? now - provider.refreshedAt.getTime() > KEY_MAX_AGE_MS && !recently(provider.refreshFailedAt)
      : !recently(kidRefreshAt);
  if (!due) return provider;
  const running = refreshing.get(provider.id);
  if (running) return running;
  if (reason === "unknown_kid") lastKidRefresh.set(provider.id, now);
  const attempt = (async () => {
    const kidRefreshAt = reason === "unknown_kid" ? new Date(now) : provider.kidRefreshAt;
    try {
      const fetched = await fetchSigningKeys(provider.issuer, provider.jwksUri);
      const refreshedAt = new Date();
      await db.identityProvider.update({
        where: { id: provider.id },
        data: {
          jwks: { keys: fetched.keys },
          keyCount: fetched.keys.length,
          resolvedJwksUri: fetched.jwksUri,
          refreshedAt,
          refreshFailedAt: null,
          kidRefreshAt,
        },
      });
      return { ...provider, keys: fetched.keys, refreshedAt, refreshFailedAt: null, kidRefreshAt };
    } catch {
      const refreshFailedAt = new Date();
      await db.identityProvider
        .update({ where: { id: provider.id }, data: { refreshFailedAt, kidRefreshAt } })
        .catch(() => undefined);
      return { ...provider, refreshFailedAt, kidRefreshAt };
    } finally {
      refreshing.delete(provider.id);
    }
  })();
  refreshing.set(provider.id, attempt);
  return attempt;
}

/** The registered providers of an issuer (one per org that registered it), with their keys. */
export async function providersForIssuer(issuer: string): Promise<ProviderKeys[]> {
  const rows = await db.identityProvider.findMany({
    where: { issuer },
    orderBy: { orgId: "asc" },
    select: {
      id: true,
      orgId: true,
      org: { select: { slug: true } },
      issuer: true,
      jwksUri: true,
      jwks: true,
      refreshedAt: true,
      refreshFailedAt: true,
      kidRefreshAt: true,
    },
  });
  return rows.map(({ org, ...row }) => ({
    ...row,
    orgSlug: org.slug,
    keys: (row.jwks as { keys?: JWK[] }).keys ?? [],
  }));
}

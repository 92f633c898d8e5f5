// The signing keys of registered identity providers: discovered and fetched (public keys only),
// cached in the database for every instance, refreshed when older than an hour and when a token
// names an unknown key id, at most once a minute per provider, so a flood of bad key ids cannot
// make Deputy hammer the issuer.
import type { JWK } from "jose";
import { db } from "@/lib/db";
import { config } from "@/lib/config/env";
import { FetchProblem, fetchJson } from "./fetch";

export const KEY_MAX_AGE_MS = 60 * 60 * 1000;
export const UNKNOWN_KID_REFRESH_INTERVAL_MS = 60 * 1000;
const MAX_KEYS = 50;

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

/** A registered provider as the token checks see it: its org, its cached keys and their refresh times. */
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

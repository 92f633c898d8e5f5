// Rule 18, check by check: whether a JWT may be exchanged for an access token of one federated
// account. The token exchange and the console's "Test a token" run the same checks, so what an
// admin sees before saving is what the exchange will decide. Never logs or returns the JWT.
import type { TFederationSettings } from "@/lib/service-accounts/schemas";
import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWK,
  type JWTPayload,
} from "jose";
import { isWellFormedText } from "@/lib/validation/text";
import { globMatches } from "./glob";
import { refreshKeys, type ProviderKeys } from "./provider-keys";

/** Asymmetric algorithms only: never `none`, never HMAC (a public key must not become a secret). */
export const ALLOWED_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "EdDSA",
];
export const MAX_JWT_BYTES = 16 * 1024;
export const CLOCK_LEEWAY_S = 60;
export const MAX_LIFETIME_S = 24 * 60 * 60;

export type Check = { id: string; label: string; passed: boolean; detail: string };

/** An account's trust settings: the one federation schema's type (lib/service-accounts/schemas.ts). */
export type TrustSettings = TFederationSettings;

export type AccountFacts = {
  name: string;
  status: "ACTIVE" | "DISABLED";
  deleted: boolean;
  trust: TrustSettings;
};

/** Longest `sub` and claim value Deputy matches or stores; longer values are refused, not matched. */
export const MAX_CLAIM_CHARS = 1024;
const MAX_CLAIM_DEPTH = 8;

/** The first claim (by path) that holds text a database cannot store, or that nests too deep. */
function malformedClaim(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === "string") return isWellFormedText(value) ? null : path;
  if (value === null || typeof value !== "object") return null;
  if (depth >= MAX_CLAIM_DEPTH) return path;
  for (const [name, inner] of Object.entries(value)) {
    if (!isWellFormedText(name)) return path || "a claim name";
    const found = malformedClaim(inner, path ? `${path}.${name}` : name, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/** The JWT's header and claims without verifying anything, or why it is not a JWT Deputy can read. */
export function readJwt(
  jwt: string,
): { header: { alg?: string; kid?: string }; claims: JWTPayload } | { problem: string } {
  if (typeof jwt !== "string" || jwt.length === 0) return { problem: "No token was given." };
  if (Buffer.byteLength(jwt) > MAX_JWT_BYTES)
    return { problem: `The token is larger than ${MAX_JWT_BYTES / 1024} KB.` };
  let header: { alg?: string; kid?: string };
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(jwt);
    claims = decodeJwt(jwt);
  } catch {
    return { problem: "The token is not a JWT (three base64url parts: header, claims, signature)." };
  }
  // Every claim Deputy may store or show goes through the same text rule as the rest of the API
  // (a lone surrogate or a NUL would fail in the database, after the refusal was decided).
  if (typeof header.alg !== "string" || header.alg.length > 32)
    return { problem: "The token's header has no algorithm (alg) Deputy can read." };
  if (header.kid !== undefined && (typeof header.kid !== "string" || header.kid.length > 256))
    return { problem: "The token's key id (kid) must be a short string." };
  const bad = malformedClaim(header, "header") ?? malformedClaim(claims, "");
  if (bad !== null)
    return { problem: `The token's ${bad} is not valid Unicode text without NUL characters.` };
  if (typeof claims.sub === "string" && claims.sub.length > MAX_CLAIM_CHARS)
    return { problem: `The token's sub is longer than ${MAX_CLAIM_CHARS} characters.` };
  if (typeof claims.iss === "string" && claims.iss.length > 512)
    return { problem: "The token's iss is longer than 512 characters." };
  return { header, claims };
}

const show = (value: unknown) => (value === undefined ? "missing" : JSON.stringify(value));

const SIGNATURE_LABEL = "Signature and key id";

/**
 * Verifies the signature against one provider's keys, refreshing them once for an unknown kid.
 * Nothing else about the token is looked at before this passes. Also answers the key set the
 * decision was made with (the provider's keys after any refresh): a decision may be reused only
 * for a provider holding exactly those keys.
 */
export async function verifySignature(
  jwt: string,
  header: { alg?: string; kid?: string },
  provider: ProviderKeys | null,
): Promise<{ check: Check; keys: JWK[] }> {
  const fail = (detail: string, keys: JWK[]) => ({
    check: { id: "signature", label: SIGNATURE_LABEL, passed: false, detail } as Check,
    keys,
  });
  if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) {
    return fail(
      header.alg === "none"
        ? 'alg "none" is refused: the token must be signed.'
        : `alg ${show(header.alg)} is refused: only ${ALLOWED_ALGORITHMS.join(", ")} are accepted${/^HS/.test(header.alg ?? "") ? " (HMAC would turn the issuer's public key into a shared secret)" : ""}.`,
      provider?.keys ?? [],
    );
  }
  if (!provider)
    return fail("The issuer is not a registered identity provider, so there are no keys to verify with.", []);
  let current = await refreshKeys(provider, "stale");
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await compactVerify(jwt, createLocalJWKSet({ keys: current.keys }), { algorithms: ALLOWED_ALGORITHMS });
      return {
        check: {
          id: "signature",
          label: SIGNATURE_LABEL,
          passed: true,
          detail: `${header.alg} signature verified with key ${show(header.kid)}.`,
        },
        keys: current.keys,
      };
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && attempt === 0) {
        current = await refreshKeys(current, "unknown_kid");
        continue;
      }
      if (error instanceof errors.JWKSNoMatchingKey) {
        return fail(
          `No key of the issuer has key id ${show(header.kid)} for ${header.alg} (keys fetched ${current.refreshedAt.toISOString()}).`,
          current.keys,
        );
      }
      if (error instanceof errors.JWKSMultipleMatchingKeys) {
        return fail("The token names no key id and the issuer has several keys.", current.keys);
      }
      return fail(`The signature does not verify with key ${show(header.kid)}.`, current.keys);
    }
  }
  return fail("The signature could not be verified.", current.keys);
}

/** A pattern check that refuses over-long values instead of matching them. */
function patternCheck(id: string, label: string, name: string, pattern: string, value: unknown): Check {
  if (typeof value === "string" && value.length > MAX_CLAIM_CHARS) {
    return { id, label, passed: false, detail: `${name} is longer than ${MAX_CLAIM_CHARS} characters.` };
  }
  return {
    id,
    label,
    passed: globMatches(pattern, value),
    detail: `${name} is ${show(value)}; the ${id === "subject" ? "pattern" : "condition"} is ${pattern}.`,
  };
}

/**
 * The checks of rule 18 after the signature: issuer, audience, lifetime, subject, claim
 * conditions (by name: PostgreSQL's jsonb does not keep the order they were written in), status.
 * Call only with claims whose signature verified.
 */
export function evaluateTrust(claims: JWTPayload, account: AccountFacts, now = Date.now()): Check[] {
  const checks: Check[] = [];
  const trust = account.trust;
  checks.push({
    id: "issuer",
    label: "Issuer (iss)",
    passed: claims.iss === trust.issuer,
    detail:
      claims.iss === trust.issuer
        ? `iss is ${trust.issuer}.`
        : `iss is ${show(claims.iss)}; the account trusts ${trust.issuer}.`,
  });

  const audienceOk = audiencesOf(claims).includes(trust.audience);
  checks.push({
    id: "audience",
    label: "Audience (aud)",
    passed: audienceOk,
    detail: audienceOk
      ? `aud contains ${trust.audience}.`
      : `aud is ${show(claims.aud)}; the account expects ${trust.audience}.`,
  });

  const timeProblem = lifetimeProblem(claims, now);
  checks.push({
    id: "lifetime",
    label: "Expiry and lifetime (exp, nbf, iat)",
    passed: timeProblem === null,
    detail:
      timeProblem ??
      `Valid until ${new Date((claims.exp as number) * 1000).toISOString()} (60 s clock leeway).`,
  });

  checks.push(patternCheck("subject", "Subject (sub)", "sub", trust.subject, claims.sub));
  for (const [name, pattern] of Object.entries(trust.claims).sort(([a], [b]) => a.localeCompare(b))) {
    checks.push(patternCheck(`claim:${name}`, `Claim ${name}`, name, pattern, ownClaim(claims, name)));
  }

  const active = account.status === "ACTIVE" && !account.deleted;
  checks.push({
    id: "status",
    label: "Account status",
    passed: active,
    detail: active
      ? `${account.name} is active.`
      : `${account.name} is ${account.deleted ? "deleted" : "disabled"}.`,
  });
  return checks;
}

/** A claim the token itself carries; never one inherited from Object's prototype ("constructor"). */
function ownClaim(claims: JWTPayload, name: string): unknown {
  return Object.hasOwn(claims, name) ? claims[name] : undefined;
}

/** The token's audiences as a list (`aud` may be one string or several). */
export function audiencesOf(claims: JWTPayload): string[] {
  const aud = claims.aud;
  return (Array.isArray(aud) ? aud : aud === undefined ? [] : [aud]).filter(
    (a): a is string => typeof a === "string",
  );
}

/** What is wrong with exp, nbf and iat (60 s leeway, at most 24 h of life), or null. */
// Times past year 9999 (or before 1970) cannot be written as dates: refused, never formatted.
const LATEST_TIME_S = 253_402_300_799;
const outOfRange = (value: unknown) =>
  value !== undefined &&
  (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > LATEST_TIME_S);

function lifetimeProblem(claims: JWTPayload, now: number): string | null {
  const seconds = now / 1000;
  const { exp, nbf, iat } = claims;
  if (outOfRange(exp) || outOfRange(nbf) || outOfRange(iat))
    return "exp, nbf and iat must be times in seconds between 1970 and 9999.";
  if (typeof exp !== "number") return "exp is missing.";
  if (exp <= seconds - CLOCK_LEEWAY_S) return `The token expired at ${new Date(exp * 1000).toISOString()}.`;
  if (typeof nbf === "number" && nbf > seconds + CLOCK_LEEWAY_S)
    return `The token is not valid before ${new Date(nbf * 1000).toISOString()}.`;
  if (typeof iat !== "number") return "iat is missing: Deputy needs it to bound the token's lifetime.";
  if (iat > seconds + CLOCK_LEEWAY_S)
    return `The token was issued in the future (${new Date(iat * 1000).toISOString()}).`;
  if (exp - iat > MAX_LIFETIME_S)
    return `The token lives ${Math.round((exp - iat) / 3600)} h; at most 24 h is accepted.`;
  return null;
}

/** Every check of rule 18 for one account, in order; the token may be exchanged only if all pass. */
export async function checkToken(
  jwt: string,
  account: AccountFacts,
  provider: ProviderKeys | null,
  now = Date.now(),
): Promise<{ checks: Check[]; claims: JWTPayload | null }> {
  const read = readJwt(jwt);
  if ("problem" in read)
    return {
      checks: [{ id: "format", label: "Token format", passed: false, detail: read.problem }],
      claims: null,
    };
  const { check: signature } = await verifySignature(jwt, read.header, provider);
  if (!signature.passed) {
    // Unverified claims are only shown, never matched: no pattern runs on a forged token.
    return {
      checks: [
        signature,
        {
          id: "trust",
          label: "Audience, lifetime, subject and claims",
          passed: false,
          detail: "Not checked: they are compared only once the signature verifies.",
        },
      ],
      claims: read.claims,
    };
  }
  return { checks: [signature, ...evaluateTrust(read.claims, account, now)], claims: read.claims };
}

/** What kind of check a refusal failed, for callers who may not see the account's settings. */
export type RefusalKind =
  "format" | "issuer" | "signature" | "audience" | "lifetime" | "subject" | "claims" | "status";

export function refusalKind(check: Check): RefusalKind {
  if (check.id.startsWith("claim:")) return "claims";
  return check.id as RefusalKind;
}

// Claims that identify a CI workload, recorded with exchanges and runs (never the whole token).
const WORKLOAD_CLAIMS = [
  "repository",
  "repository_owner",
  "ref",
  "sha",
  "actor",
  "workflow",
  "job_workflow_ref",
  "run_id",
  "run_attempt",
  "environment",
  "namespace_path",
  "project_path",
  "pipeline_id",
  "job_id",
  "user_login",
  "kubernetes.io",
];

/** The claims that decided an exchange: the trusted ones plus known workload identifiers. */
export function decidingClaims(claims: JWTPayload, trust: TrustSettings | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of [...WORKLOAD_CLAIMS, ...Object.keys(trust?.claims ?? {})]) {
    const value = ownClaim(claims, name);
    if (value === undefined) continue;
    const text = JSON.stringify(value);
    if (text.length <= 512) out[name] = value;
  }
  return out;
}

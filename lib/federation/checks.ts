// Rule 18, check by check: whether a JWT may be exchanged for an access token of one federated
// account. The token exchange and the console's "Test a token" run the same checks, so what an
// admin sees before saving is what the exchange will decide. Never logs or returns the JWT.
import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
} from "jose";
import { globMatches } from "./glob";
import { refreshKeys, type ProviderKeys } from "./providers";

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

export type TrustSettings = {
  issuer: string;
  audience: string;
  subject: string;
  claims: Record<string, string>;
};

export type AccountFacts = {
  name: string;
  status: "ACTIVE" | "DISABLED";
  deleted: boolean;
  trust: TrustSettings;
};

/** The JWT's header and claims without verifying anything, or why it is not a JWT at all. */
export function readJwt(
  jwt: string,
): { header: { alg?: string; kid?: string }; claims: JWTPayload } | { problem: string } {
  if (typeof jwt !== "string" || jwt.length === 0) return { problem: "No token was given." };
  if (Buffer.byteLength(jwt) > MAX_JWT_BYTES)
    return { problem: `The token is larger than ${MAX_JWT_BYTES / 1024} KB.` };
  try {
    return { header: decodeProtectedHeader(jwt), claims: decodeJwt(jwt) };
  } catch {
    return { problem: "The token is not a JWT (three base64url parts: header, claims, signature)." };
  }
}

const show = (value: unknown) => (value === undefined ? "missing" : JSON.stringify(value));

/** Verifies the signature against the provider's keys, refreshing them once for an unknown kid. */
async function signatureCheck(
  jwt: string,
  header: { alg?: string; kid?: string },
  provider: ProviderKeys | null,
): Promise<{ check: Check; provider: ProviderKeys | null }> {
  const label = "Signature and key id";
  const fail = (detail: string) => ({ check: { id: "signature", label, passed: false, detail }, provider });
  if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) {
    return fail(
      header.alg === "none"
        ? 'alg "none" is refused: the token must be signed.'
        : `alg ${show(header.alg)} is refused: only ${ALLOWED_ALGORITHMS.join(", ")} are accepted${/^HS/.test(header.alg ?? "") ? " (HMAC would turn the issuer's public key into a shared secret)" : ""}.`,
    );
  }
  if (!provider)
    return fail("The issuer is not a registered identity provider, so there are no keys to verify with.");
  let current = await refreshKeys(provider, "stale");
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await compactVerify(jwt, createLocalJWKSet({ keys: current.keys }), { algorithms: ALLOWED_ALGORITHMS });
      return {
        check: {
          id: "signature",
          label,
          passed: true,
          detail: `${header.alg} signature verified with key ${show(header.kid)}.`,
        },
        provider: current,
      };
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey && attempt === 0) {
        current = await refreshKeys(current, "unknown_kid");
        continue;
      }
      if (error instanceof errors.JWKSNoMatchingKey) {
        return {
          ...fail(
            `No key of the issuer has key id ${show(header.kid)} for ${header.alg} (keys fetched ${current.refreshedAt.toISOString()}).`,
          ),
          provider: current,
        };
      }
      if (error instanceof errors.JWKSMultipleMatchingKeys) {
        return { ...fail("The token names no key id and the issuer has several keys."), provider: current };
      }
      return { ...fail(`The signature does not verify with key ${show(header.kid)}.`), provider: current };
    }
  }
  return fail("The signature could not be verified.");
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
  const { header, claims } = read;
  const checks: Check[] = [];
  checks.push((await signatureCheck(jwt, header, provider)).check);

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

  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  const audienceOk = audiences.includes(trust.audience);
  checks.push({
    id: "audience",
    label: "Audience (aud)",
    passed: audienceOk,
    detail: audienceOk
      ? `aud contains ${trust.audience}.`
      : `aud is ${show(claims.aud)}; the account expects ${trust.audience}.`,
  });

  const seconds = now / 1000;
  const { exp, nbf, iat } = claims;
  let timeProblem: string | null = null;
  if (typeof exp !== "number") timeProblem = "exp is missing.";
  else if (exp <= seconds - CLOCK_LEEWAY_S)
    timeProblem = `The token expired at ${new Date(exp * 1000).toISOString()}.`;
  else if (typeof nbf === "number" && nbf > seconds + CLOCK_LEEWAY_S)
    timeProblem = `The token is not valid before ${new Date(nbf * 1000).toISOString()}.`;
  else if (typeof iat !== "number")
    timeProblem = "iat is missing: Deputy needs it to bound the token's lifetime.";
  else if (iat > seconds + CLOCK_LEEWAY_S)
    timeProblem = `The token was issued in the future (${new Date(iat * 1000).toISOString()}).`;
  else if (exp - iat > MAX_LIFETIME_S)
    timeProblem = `The token lives ${Math.round((exp - iat) / 3600)} h; at most 24 h is accepted.`;
  checks.push({
    id: "lifetime",
    label: "Expiry and lifetime (exp, nbf, iat)",
    passed: timeProblem === null,
    detail:
      timeProblem ?? `Valid until ${new Date((exp as number) * 1000).toISOString()} (60 s clock leeway).`,
  });

  const subjectOk = globMatches(trust.subject, claims.sub);
  checks.push({
    id: "subject",
    label: "Subject (sub)",
    passed: subjectOk,
    detail: `sub is ${show(claims.sub)}; the pattern is ${trust.subject}.`,
  });

  // By name: PostgreSQL's jsonb does not keep the order the conditions were written in.
  for (const [name, pattern] of Object.entries(trust.claims).sort(([a], [b]) => a.localeCompare(b))) {
    const ok = globMatches(pattern, claims[name]);
    checks.push({
      id: `claim:${name}`,
      label: `Claim ${name}`,
      passed: ok,
      detail: `${name} is ${show(claims[name])}; the condition is ${pattern}.`,
    });
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
  return { checks, claims };
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
    const value = claims[name];
    if (value === undefined) continue;
    const text = JSON.stringify(value);
    if (text.length <= 512) out[name] = value;
  }
  return out;
}

// The token exchange (RFC 8693, SPEC §4, rules 18–20): a workload's JWT for a short-lived
// access token of the one federated account that trusts it. Refusals follow RFC 6749 §5.2 and
// say which check failed, never echoing the token; every exchange, granted or refused, is audited
// with the issuer, the subject and the claims that decided it.
import { z } from "zod";
import { db } from "@/lib/db";
import { recordAudit, type AuditActor } from "@/lib/audit/record";
import { serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { issueAccessToken } from "./access-tokens";
import { checkToken, decidingClaims, readJwt, type Check, type TrustSettings } from "./checks";
import { providersForIssuer } from "./providers";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const SUBJECT_TOKEN_TYPES = [
  "urn:ietf:params:oauth:token-type:jwt",
  "urn:ietf:params:oauth:token-type:id_token",
];

export type OAuthErrorCode = "invalid_request" | "invalid_grant" | "unsupported_grant_type";

/** A refusal in RFC 6749 §5.2's shape: `{"error", "error_description"}`. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

const text = (max: number) => z.string().max(max);

/** The form fields of RFC 8693 §2.1 that Deputy reads; others of the RFC are accepted and ignored. */
export const ZTokenExchangeForm = z
  .object({
    grant_type: text(200),
    subject_token: text(64 * 1024),
    subject_token_type: text(200),
    service_account: text(128).optional(),
    // A public client may name itself (RFC 6749 §2.3.1); Deputy needs no client registration.
    client_id: text(200).optional(),
    audience: text(512).optional(),
    resource: text(512).optional(),
    scope: text(512).optional(),
    requested_token_type: text(200).optional(),
  })
  .strict();
export type TTokenExchangeForm = z.infer<typeof ZTokenExchangeForm>;

export type ExchangeAnswer = {
  access_token: string;
  issued_token_type: typeof ACCESS_TOKEN_TYPE;
  token_type: "Bearer";
  expires_in: number;
};

type Source = { ip: string | null; userAgent: string | null };

function trustOf(identity: {
  issuer: string;
  audience: string;
  subjectPattern: string;
  claimConditions: unknown;
}): TrustSettings {
  return {
    issuer: identity.issuer,
    audience: identity.audience,
    subject: identity.subjectPattern,
    claims: (identity.claimConditions ?? {}) as Record<string, string>,
  };
}

const clip = (value: unknown) =>
  typeof value === "string"
    ? value.slice(0, 256)
    : value === undefined
      ? null
      : JSON.stringify(value).slice(0, 256);

/** Checks the form before any token is read: grant type, token type, size. */
function checkForm(form: TTokenExchangeForm) {
  if (form.grant_type !== TOKEN_EXCHANGE_GRANT) {
    throw new OAuthError("unsupported_grant_type", `Use grant_type=${TOKEN_EXCHANGE_GRANT}.`);
  }
  if (!SUBJECT_TOKEN_TYPES.includes(form.subject_token_type)) {
    throw new OAuthError(
      "invalid_request",
      `subject_token_type must be ${SUBJECT_TOKEN_TYPES.join(" or ")}.`,
    );
  }
  if (form.requested_token_type && form.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new OAuthError("invalid_request", `Deputy issues only ${ACCESS_TOKEN_TYPE}.`);
  }
}

/** Exchanges a JWT for an access token, or throws OAuthError (audited either way). */
export async function exchangeToken(form: TTokenExchangeForm, source: Source): Promise<ExchangeAnswer> {
  checkForm(form);
  const read = readJwt(form.subject_token);
  const refuse = async (
    description: string,
    facts: {
      orgId: string | null;
      account?: { id: string; name: string; orgSlug: string };
      claims?: Record<string, unknown>;
      failed?: Check;
    },
  ): Promise<never> => {
    const iss = "claims" in read ? read.claims.iss : undefined;
    const sub = "claims" in read ? read.claims.sub : undefined;
    await db.$transaction((tx) =>
      recordAudit(tx, {
        orgId: facts.orgId,
        actor: anonymousActor(iss, sub),
        action: "token_exchange.refused",
        ...(facts.account
          ? {
              target: {
                type: "service_account",
                id: facts.account.id,
                name: serviceAccountIdentity(facts.account.name, facts.account.orgSlug),
              },
            }
          : {}),
        metadata: {
          issuer: clip(iss),
          subject: clip(sub),
          claims: facts.claims ?? {},
          failedCheck: facts.failed
            ? { check: facts.failed.id, detail: facts.failed.detail.slice(0, 300) }
            : null,
          reason: description.slice(0, 300),
        },
        ip: source.ip,
        userAgent: source.userAgent,
      }),
    );
    throw new OAuthError("invalid_grant", description);
  };

  if ("problem" in read) return refuse(`subject_token: ${read.problem}`, { orgId: null });
  const { claims } = read;
  if (typeof claims.iss !== "string") return refuse("The token has no iss claim.", { orgId: null });
  const providers = await providersForIssuer(claims.iss);
  if (providers.length === 0) {
    return refuse(
      `The issuer ${clip(claims.iss)} is not a registered identity provider of any organization.`,
      { orgId: null },
    );
  }
  const providerOfOrg = new Map(providers.map((p) => [p.orgId, p]));
  const named = form.service_account?.trim();
  const candidates = await db.serviceAccount.findMany({
    where: {
      orgId: { in: providers.map((p) => p.orgId) },
      authMethod: "FEDERATED",
      deletedAt: null,
      federatedIdentities: { some: { issuer: claims.iss } },
      ...(named ? { OR: [{ id: named }, { name: named }] } : {}),
    },
    take: 20,
    select: {
      id: true,
      name: true,
      status: true,
      orgId: true,
      org: { select: { slug: true } },
      federatedIdentities: {
        where: { issuer: claims.iss },
        take: 1,
        select: { issuer: true, audience: true, subjectPattern: true, claimConditions: true },
      },
    },
  });
  if (candidates.length === 0) {
    return refuse(
      named
        ? `No federated service account named ${clip(named)} trusts the issuer ${claims.iss}.`
        : `No service account trusts the issuer ${claims.iss}.`,
      { orgId: providers.length === 1 ? providers[0]!.orgId : null, claims: decidingClaims(claims, null) },
    );
  }

  const evaluated = [];
  for (const candidate of candidates) {
    const trust = trustOf(candidate.federatedIdentities[0]!);
    const { checks } = await checkToken(
      form.subject_token,
      { name: candidate.name, status: candidate.status, deleted: false, trust },
      providerOfOrg.get(candidate.orgId) ?? null,
    );
    evaluated.push({ candidate, trust, checks, passed: checks.every((c) => c.passed) });
  }
  const granted = evaluated.filter((e) => e.passed);
  if (granted.length > 1) {
    throw new OAuthError(
      "invalid_request",
      `${granted.length} service accounts trust this token (${granted.map((g) => g.candidate.name).join(", ")}): pass service_account=<name> to choose one.`,
    );
  }
  if (granted.length === 0) {
    const best = evaluated.sort(
      (a, b) => b.checks.filter((c) => c.passed).length - a.checks.filter((c) => c.passed).length,
    )[0]!;
    const failed = best.checks.find((c) => !c.passed)!;
    return refuse(`${best.candidate.name}: ${failed.label} — ${failed.detail}`, {
      orgId: best.candidate.orgId,
      account: { id: best.candidate.id, name: best.candidate.name, orgSlug: best.candidate.org.slug },
      claims: decidingClaims(claims, best.trust),
      failed,
    });
  }

  const { candidate, trust } = granted[0]!;
  const workload = decidingClaims(claims, trust);
  const issued = await db.$transaction(async (tx) => {
    const token = await issueAccessToken(tx, candidate, {
      issuer: claims.iss!,
      subject: String(claims.sub),
      claims: workload,
    });
    const identity = serviceAccountIdentity(candidate.name, candidate.org.slug);
    await recordAudit(tx, {
      orgId: candidate.orgId,
      actor: { type: "SERVICE_ACCOUNT", id: candidate.id, identity },
      action: "token_exchange.granted",
      target: { type: "service_account", id: candidate.id, name: identity },
      metadata: {
        issuer: claims.iss,
        subject: clip(claims.sub),
        claims: workload,
        grantId: token.id,
        expiresAt: token.expiresAt.toISOString(),
      },
      ip: source.ip,
      userAgent: source.userAgent,
    });
    return token;
  });
  return {
    access_token: issued.token,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: "Bearer",
    expires_in: issued.expiresIn,
  };
}

function anonymousActor(iss: unknown, sub: unknown): AuditActor {
  return { type: "ANONYMOUS", identity: `${clip(sub) ?? "?"} from ${clip(iss) ?? "?"}`.slice(0, 300) };
}

// The token exchange (RFC 8693, SPEC §4, rules 18–20): a workload's JWT for a short-lived
// access token of the one federated account that trusts it. Refusals follow RFC 6749 §5.2 and
// say which check failed, never echoing the token; every exchange, granted or refused, is audited
// with the issuer, the subject and the claims that decided it.
// The form, the answer and OAuthError are the token endpoint's: token-endpoint.ts.
import type { JWTPayload } from "jose";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import type { AuditActor } from "@/lib/core/audit-actor";
import { parseServiceAccountIdentity, serviceAccountIdentity } from "@/lib/service-accounts/identity";
import { config } from "@/lib/config/env";
import { truncateText } from "@/lib/validation/text";
import { issueAccessToken } from "./access-tokens";
import {
  decidingClaims,
  evaluateTrust,
  readJwt,
  refusalKind,
  verifySignature,
  type Check,
  type RefusalKind,
  type TrustSettings,
} from "./checks";
import { providersForIssuer, type ProviderKeys } from "./provider-keys";
import {
  ACCESS_TOKEN_TYPE,
  checkForm,
  OAuthError,
  parseScope,
  type ExchangeAnswer,
  type OAuthErrorCode,
  type RequestedScope,
  type TTokenExchangeForm,
} from "./token-endpoint";
import { permissionOfRole, permits, storedList } from "@/lib/keys/restrictions";
import { missingProjects } from "@/lib/keys/key-restrictions";
import { AddressRanges } from "@/lib/security/address-ranges";

type Source = { ip: string | null; userAgent: string | null };

function trustOf(identity: {
  issuer: string;
  audience: string;
  subjectPattern: string;
  claimConditions: unknown;
  allowedIps: string | null;
}): TrustSettings {
  return {
    issuer: identity.issuer,
    audience: identity.audience,
    subject: identity.subjectPattern,
    claims: (identity.claimConditions ?? {}) as Record<string, string>,
    allowedIps: storedList(identity.allowedIps),
  };
}

const clip = (value: unknown) =>
  typeof value === "string"
    ? truncateText(value, 256)
    : value === undefined
      ? null
      : truncateText(JSON.stringify(value), 256);

// What an anonymous caller is told when a check fails: the kind of check, never an account's
// name or its trust settings (SPEC §8). The audit event and "Test a token" carry the detail.
const PUBLIC_REFUSALS: Record<Exclude<RefusalKind, "format" | "lifetime">, string> = {
  issuer: "Issuer check failed: the token's iss is not a registered identity provider.",
  signature:
    "Signature check failed: the token is not signed by a key the issuer publishes, with an accepted algorithm.",
  audience: "Audience check failed: no service account that trusts this issuer accepts the token's aud.",
  subject: "Subject check failed: the token's sub matches no trusted subject pattern.",
  claims: "Claims check failed: the token's claims do not meet the claim conditions of the account.",
  status: "Account status check failed: the service account that trusts this token is disabled.",
};

/** The refusal a caller sees for a failed check: token-derived facts only. */
function publicRefusal(check: Check): string {
  const kind = refusalKind(check);
  if (kind === "format") return `Format check failed: ${check.detail}`;
  // Lifetime problems are facts of the token itself (its own exp, nbf, iat), not of an account.
  if (kind === "lifetime") return `Lifetime check failed: ${check.detail}`;
  return PUBLIC_REFUSALS[kind];
}

/**
 * `service_account` as sent: an account id, a name, or a display identity
 * (`<name>@<org>.sa.<domain>`), which also pins the organization.
 */
function parseAccountPin(value: string | undefined): { ref: string; orgSlug?: string } | null {
  const ref = value?.trim();
  if (!ref) return null;
  const identity = parseServiceAccountIdentity(ref);
  return identity ? { ref: identity.name, orgSlug: identity.orgSlug } : { ref };
}

const CANDIDATE_SELECT = (issuer: string) =>
  ({
    id: true,
    name: true,
    status: true,
    role: true,
    orgId: true,
    org: { select: { slug: true } },
    federatedIdentities: {
      where: { issuer },
      take: 1,
      select: { issuer: true, audience: true, subjectPattern: true, claimConditions: true, allowedIps: true },
    },
  }) as const;

type Evaluated = {
  candidate: {
    id: string;
    name: string;
    status: "ACTIVE" | "DISABLED";
    role: "ADMIN" | "MEMBER" | "VIEWER";
    orgId: string;
    org: { slug: string };
  };
  trust: TrustSettings;
  checks: Check[];
};

const passedCount = (e: Evaluated) => e.checks.filter((c) => c.passed).length;
const firstFailure = (e: Evaluated) => e.checks.find((c) => !c.passed)!;
/** Whether the token meets the account's trust settings, whatever its lifetime and the account's status. */
const claimsToken = (e: Evaluated) =>
  e.checks.every((c) => c.passed || c.id === "lifetime" || c.id === "status");

/** Exchanges a JWT for an access token, or throws OAuthError (audited either way). */
export async function exchangeToken(form: TTokenExchangeForm, source: Source): Promise<ExchangeAnswer> {
  checkForm(form);
  // Its syntax only, before any token is read; whether the account has that much comes later.
  const requested = parseScope(form.scope);
  const read = readJwt(form.subject_token);
  const refuse = async (
    description: string,
    facts: {
      orgIds: (string | null)[];
      account?: { id: string; name: string; orgSlug: string };
      claims?: Record<string, unknown>;
      failed?: Check;
      detail?: string;
      error?: OAuthErrorCode;
    },
  ): Promise<never> => {
    const iss = "claims" in read ? read.claims.iss : undefined;
    const sub = "claims" in read ? read.claims.sub : undefined;
    await db.$transaction(async (tx) => {
      for (const orgId of facts.orgIds) {
        await recordAudit(tx, {
          orgId,
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
              ? { check: facts.failed.id, detail: truncateText(facts.failed.detail, 300) }
              : null,
            reason: truncateText(facts.detail ?? description, 300),
          },
          ip: source.ip,
          userAgent: source.userAgent,
        });
      }
    });
    throw new OAuthError(facts.error ?? "invalid_grant", description);
  };

  if ("problem" in read) return refuse(`Format check failed: ${read.problem}`, { orgIds: [null] });
  const { header, claims } = read;
  if (typeof claims.iss !== "string")
    return refuse("Format check failed: the token has no iss claim.", { orgIds: [null] });
  const issuer = claims.iss;
  const pin = parseAccountPin(form.service_account);

  const providers = await providersForIssuer(issuer);
  if (providers.length === 0) {
    return refuse(PUBLIC_REFUSALS.issuer, {
      orgIds: [null],
      detail: `No organization registered ${clip(issuer)}.`,
    });
  }
  const onlyOrg = (list: { orgId: string }[]) => (list.length === 1 ? [list[0]!.orgId] : [null]);

  // The signature first, against each organization's own registered keys, before any account,
  // pin or pattern is looked at; all providers at once, so none waits behind another's refresh.
  // Providers holding the same key set share one verification — but only when the decision was
  // made with exactly the keys they hold (a refresh gives the one refreshed other keys).
  const groups = new Map<string, ProviderKeys[]>();
  for (const provider of providers) {
    const keySet = JSON.stringify(provider.keys);
    groups.set(keySet, [...(groups.get(keySet) ?? []), provider]);
  }
  const verdicts = new Map<string, Check>();
  await Promise.all(
    [...groups.entries()].map(async ([keySet, [first, ...rest]]) => {
      const decided = await verifySignature(form.subject_token, header, first!);
      verdicts.set(first!.id, decided.check);
      if (JSON.stringify(decided.keys) === keySet) {
        for (const other of rest) verdicts.set(other.id, decided.check);
        return;
      }
      await Promise.all(
        rest.map(async (other) =>
          verdicts.set(other.id, (await verifySignature(form.subject_token, header, other)).check),
        ),
      );
    }),
  );
  const verified = providers.filter((p) => verdicts.get(p.id)!.passed);
  if (verified.length === 0) {
    const failed = verdicts.get(providers[0]!.id)!;
    return refuse(publicRefusal(failed), {
      orgIds: onlyOrg(providers),
      failed,
      claims: decidingClaims(claims, null),
    });
  }
  // The caller's pin narrows only after the signature: a forgery learns nothing about which
  // organizations registered the issuer.
  const verifiedOrgs = new Set(
    verified.filter((p) => !pin?.orgSlug || p.orgSlug === pin.orgSlug).map((p) => p.orgId),
  );

  // Every account of those organizations that trusts the issuer, in a stable order: nothing is
  // left out, so a valid token is never refused because another account came first.
  const candidates = await db.serviceAccount.findMany({
    where: {
      orgId: { in: [...verifiedOrgs] },
      authMethod: "FEDERATED",
      deletedAt: null,
      federatedIdentities: { some: { issuer } },
      ...(pin ? { OR: [{ id: pin.ref }, { name: pin.ref }] } : {}),
    },
    orderBy: [{ orgId: "asc" }, { name: "asc" }, { id: "asc" }],
    select: CANDIDATE_SELECT(issuer),
  });
  const verifiedList = [...verifiedOrgs].map((orgId) => ({ orgId }));
  if (candidates.length === 0) {
    // The same answer as an audience refusal, whether or not a pinned name exists: a caller with
    // a validly signed token (anyone can mint one on a shared issuer) learns no account names.
    return refuse(PUBLIC_REFUSALS.audience, {
      orgIds: onlyOrg(verifiedList),
      claims: decidingClaims(claims, null),
      detail: pin ? `service_account=${clip(form.service_account)}` : undefined,
    });
  }

  const now = Date.now();
  const evaluated: Evaluated[] = candidates.map((candidate) => {
    const trust = trustOf(candidate.federatedIdentities[0]!);
    const facts = { name: candidate.name, status: candidate.status, deleted: false, trust };
    return { candidate, trust, checks: evaluateTrust(claims, facts, now) };
  });

  // Which organizations' accounts this token meets: ambiguity is decided inside one organization,
  // and an account of another organization can never take a token another one also trusts.
  const claiming = evaluated.filter(claimsToken);
  const claimingOrgs = [...new Set(claiming.map((e) => e.candidate.orgId))];
  if (claimingOrgs.length > 1) {
    return refuse(
      `Service accounts of more than one organization trust this token. Pass service_account=<name>@<organization>.sa.${config().saDomain} (or the account's id) to choose yours.`,
      {
        orgIds: claimingOrgs,
        claims: decidingClaims(claims, null),
        detail: "Accounts of another organization also trust this token; the caller must name the account.",
        error: "invalid_request",
      },
    );
  }
  const accountFacts = (e: Evaluated) => ({
    id: e.candidate.id,
    name: e.candidate.name,
    orgSlug: e.candidate.org.slug,
  });
  if (claimingOrgs.length === 1) {
    const granted = claiming.filter((e) => e.checks.every((c) => c.passed));
    if (granted.length > 1) {
      return refuse(
        `${granted.length} service accounts trust this token: pass service_account=<name> to choose one.`,
        {
          orgIds: claimingOrgs,
          claims: decidingClaims(claims, null),
          detail: `${granted.length} service accounts trust this token: ${granted.map((g) => g.candidate.name).join(", ")}.`,
          error: "invalid_request",
        },
      );
    }
    if (granted.length === 1) {
      const chosen = granted[0]!;
      // Rule 25: the trust settings' allowedIps, then the scope asked for, against this account.
      const ranges = chosen.trust.allowedIps;
      if (ranges && !(source.ip !== null && new AddressRanges(ranges).includes(source.ip))) {
        return refuse("This account's trust settings allow exchanges only from its allowed IP ranges.", {
          orgIds: [chosen.candidate.orgId],
          account: accountFacts(chosen),
          claims: decidingClaims(claims, chosen.trust),
          detail: `Client address ${source.ip ?? "unknown"} is outside the trust settings' allowedIps.`,
        });
      }
      const tooMuch = await scopeBeyondAccount(chosen.candidate, requested);
      if (tooMuch) {
        return refuse(tooMuch, {
          orgIds: [chosen.candidate.orgId],
          account: accountFacts(chosen),
          claims: decidingClaims(claims, chosen.trust),
          error: "invalid_scope",
        });
      }
      return grant(chosen, claims, source, requested);
    }
    const best = claiming[0]!;
    const failed = firstFailure(best);
    return refuse(publicRefusal(failed), {
      orgIds: [best.candidate.orgId],
      account: accountFacts(best),
      claims: decidingClaims(claims, best.trust),
      failed,
    });
  }

  // No account's trust settings are met: report the kind of check that failed for the account
  // that came closest (the first of those, in the stable order), in its organization's audit.
  const best = evaluated.reduce((a, b) => (passedCount(b) > passedCount(a) ? b : a));
  const failed = firstFailure(best);
  return refuse(publicRefusal(failed), {
    orgIds: [best.candidate.orgId],
    account: accountFacts(best),
    claims: decidingClaims(claims, best.trust),
    failed,
  });
}

/** Issues the access token and its audit event in one transaction. */
/** Why the scope asks for more than the account has (rule 25), or null when it only narrows. */
async function scopeBeyondAccount(
  account: { orgId: string; role: "ADMIN" | "MEMBER" | "VIEWER" },
  requested: RequestedScope,
): Promise<string | null> {
  if (requested.permission && !permits(permissionOfRole(account.role), requested.permission)) {
    return `scope ${requested.permission} is more than this account's role allows (at most ${permissionOfRole(account.role)}).`;
  }
  if (!requested.projects) return null;
  const missing = await missingProjects(db, account.orgId, requested.projects);
  return missing.length > 0
    ? `scope names ${missing.slice(0, 3).join(", ")}, not a project of this account's organization.`
    : null;
}

async function grant(
  chosen: Evaluated,
  claims: JWTPayload,
  source: Source,
  requested: RequestedScope,
): Promise<ExchangeAnswer> {
  const { candidate, trust } = chosen;
  const workload = decidingClaims(claims, trust);
  const issued = await db.$transaction(async (tx) => {
    const token = await issueAccessToken(tx, candidate, {
      issuer: claims.iss!,
      subject: String(claims.sub),
      claims: workload,
      scope: requested,
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
        ...(requested.permission || requested.projects ? { scope: requested } : {}),
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
  return { type: "ANONYMOUS", identity: truncateText(`${clip(sub) ?? "?"} from ${clip(iss) ?? "?"}`, 300) };
}

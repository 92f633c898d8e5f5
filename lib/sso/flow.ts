// Sign in with SSO (rule 34): the authorization code flow with PKCE, `state` and `nonce`, done
// by openid-client (which checks the ID token's signature, issuer, audience, nonce and expiry).
// What must survive the trip to the provider — the org, the PKCE verifier, state, nonce and where
// to go afterwards — travels in a sealed, HttpOnly cookie bound to this browser, 10 minutes long.
import * as oidc from "openid-client";
import { z } from "zod";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { safeReturnPath } from "@/lib/auth/return-path";
import { claimSeat } from "@/lib/orgs/members";
import { seal, unseal } from "@/lib/security/sealed";
import { openSession } from "@/lib/users/sessions";
import { providerOf, ssoRedirectUri } from "./settings";
import { orgForEmail } from "./domains";
import { SSO_REFUSALS, type SsoRefusalCode } from "./refusals";

export const SSO_COOKIE = "deputy-sso";
export const SSO_COOKIE_MAX_AGE_S = 600;
const COOKIE_PURPOSE = "sso-login-state";

const ZLoginState = z.object({
  orgId: z.string(),
  verifier: z.string(),
  state: z.string(),
  nonce: z.string(),
  returnTo: z.string(),
  expiresAt: z.number(),
});

export type Source = { ip: string | null; userAgent: string | null };

/** A refusal the sign-in page explains by its code (lib/sso/refusals.ts). */
export class SsoRefusal extends Error {
  constructor(readonly code: SsoRefusalCode) {
    super(SSO_REFUSALS[code]);
  }
}

const ZEmail = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** Step 1: where to send the browser, and the cookie to set first. */
export async function startSso(
  emailInput: unknown,
  returnTo: unknown,
): Promise<{ redirectTo: string; cookie: string }> {
  const parsed = ZEmail.safeParse(emailInput);
  if (!parsed.success) throw new SsoRefusal("email");
  const email = parsed.data;
  const found = await orgForEmail(email);
  if (!found) {
    throw new SsoRefusal("not_configured");
  }
  const provider = await providerOf(found.orgId);
  if (!provider) throw new SsoRefusal("not_configured");
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(provider.configuration, {
    redirect_uri: ssoRedirectUri(),
    scope: "openid email profile",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    login_hint: email,
  });
  const cookie = seal(
    COOKIE_PURPOSE,
    JSON.stringify({
      orgId: found.orgId,
      verifier,
      state,
      nonce,
      returnTo: safeReturnPath(typeof returnTo === "string" ? returnTo : "/"),
      expiresAt: Date.now() + SSO_COOKIE_MAX_AGE_S * 1000,
    }),
  );
  return { redirectTo: url.href, cookie };
}

async function auditRefusal(orgId: string, source: Source, reason: string, email?: string) {
  await recordAudit(db, {
    orgId,
    actor: { type: "ANONYMOUS", identity: email ?? source.ip ?? "unknown address" },
    action: "auth.sso_refused",
    metadata: { reason, ...(email ? { email } : {}) },
    ip: source.ip,
    userAgent: source.userAgent,
  });
}

/**
 * Step 2, the provider's redirect back: checks everything, finds or creates the person (a new
 * one joins as MEMBER and takes a seat), opens a session. Throws SsoRefusal with what to tell them.
 */
export async function finishSso(callbackUrl: URL, cookie: string | undefined, source: Source) {
  let login: z.infer<typeof ZLoginState>;
  try {
    login = ZLoginState.parse(JSON.parse(unseal(COOKIE_PURPOSE, cookie ?? "")));
  } catch {
    throw new SsoRefusal("state");
  }
  if (login.expiresAt < Date.now()) throw new SsoRefusal("state");
  const provider = await providerOf(login.orgId);
  if (!provider) throw new SsoRefusal("not_configured");

  let claims: Record<string, unknown>;
  try {
    const tokens = await oidc.authorizationCodeGrant(provider.configuration, callbackUrl, {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims()!;
    claims = { ...idToken };
    // Some providers put email and name only in UserInfo (OpenID Connect Core §5.4); its `sub`
    // must be the ID token's.
    if (typeof idToken.email !== "string") {
      claims = {
        ...(await oidc.fetchUserInfo(provider.configuration, tokens.access_token, idToken.sub)),
        ...idToken,
      };
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 200) : "refused";
    await auditRefusal(login.orgId, source, reason);
    throw new SsoRefusal("provider");
  }

  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  const domains = await db.ssoDomain.findMany({ where: { orgId: login.orgId }, select: { domain: true } });
  const domain = email.slice(email.lastIndexOf("@") + 1);
  // The provider speaks for the org's own domains only, and only for addresses it verified.
  if (!ZEmail.safeParse(email).success || !domains.some((d) => d.domain === domain)) {
    await auditRefusal(login.orgId, source, "email outside the org's domains", email || undefined);
    throw new SsoRefusal("domain");
  }
  if (claims.email_verified === false) {
    await auditRefusal(login.orgId, source, "email not verified", email);
    throw new SsoRefusal("unverified");
  }
  const name =
    (typeof claims.name === "string" && claims.name.trim().slice(0, 80)) || email.split("@")[0] || email;

  const signedIn = await db
    .$transaction(async (tx) => {
      let user = await tx.user.findUnique({ where: { email }, select: { id: true } });
      // An org's provider speaks for people of that org only: someone who also belongs to
      // another org keeps their password, or org A (which may claim any unclaimed domain) could
      // sign in as a person of org B.
      if (
        user &&
        (await tx.orgMembership.count({ where: { userId: user.id, orgId: { not: login.orgId } } })) > 0
      ) {
        throw new SsoRefusal("other_orgs");
      }
      const isNew = !user;
      user ??= await tx.user.create({ data: { email, name, passwordHash: null }, select: { id: true } });
      const member = await tx.orgMembership.findUnique({
        where: { orgId_userId: { orgId: login.orgId, userId: user.id } },
        select: { id: true },
      });
      if (!member) {
        await claimSeat(tx, login.orgId);
        await tx.orgMembership.create({ data: { orgId: login.orgId, userId: user.id, role: "MEMBER" } });
        await recordAudit(tx, {
          orgId: login.orgId,
          actor: { type: "SYSTEM", identity: "system" },
          action: "org.member_added",
          target: { type: "user", id: user.id, name: email },
          metadata: { role: "MEMBER", newUser: isNew, via: "sso" },
          ip: source.ip,
          userAgent: source.userAgent,
        });
      }
      const sessionId = await openSession(user.id, { method: "sso", ...source }, tx);
      await recordAudit(tx, {
        orgId: login.orgId,
        actor: { type: "USER", id: user.id, identity: email },
        action: "auth.sso_sign_in",
        target: { type: "user", id: user.id, name: email },
        metadata: { issuer: provider.sso.issuer, subject: String(claims.sub).slice(0, 200), joined: !member },
        ip: source.ip,
        userAgent: source.userAgent,
      });
      return { userId: user.id, sessionId };
    })
    .catch(async (error: unknown) => {
      if (error instanceof SsoRefusal) {
        await auditRefusal(login.orgId, source, "member of another organization", email);
        throw error;
      }
      if (error instanceof AppError && error.code === "LIMIT_REACHED") {
        await auditRefusal(login.orgId, source, "no free seat", email);
        throw new SsoRefusal("seats");
      }
      throw error;
    });
  return { ...signedIn, returnTo: login.returnTo };
}

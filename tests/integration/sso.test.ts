// Single sign-on (rule 34) against a real OpenID provider (oidc-provider on a loopback port):
// settings fetched before saving, the code flow end to end, just-in-time members and seats, and
// the answers an attacker could bring back — a tampered state, another nonce, a code of another
// client, an address outside the org's domains, an unverified email — plus Require single sign-on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { seal, unseal } from "@/lib/security/sealed";
import { SsoRefusal, finishSso, startSso } from "@/lib/sso/flow";
import { getSsoSettings, saveSsoSettings, ssoRedirectUri } from "@/lib/sso/settings";
import { sessionUser } from "@/lib/users/sessions";
import { attemptSignIn, resetSignInLimits } from "@/lib/auth/sign-in";
import { hashPassword } from "@/lib/auth/password";
import { DEPUTY_CLIENT, OTHER_CLIENT, UNVERIFIED_PREFIX, startOidcProvider } from "../support/oidc-provider";
import { makeOrg } from "../support/factories";

let idp: Awaited<ReturnType<typeof startOidcProvider>>;
beforeAll(async () => {
  idp = await startOidcProvider([ssoRedirectUri()]);
});
afterAll(async () => {
  await idp.close();
});

const SOURCE = { ip: "203.0.113.9", userAgent: "vitest" };
let domainCounter = 0;

async function ssoOrg(options: { seatLimit?: number; requireSso?: boolean } = {}) {
  const made = await makeOrg(options);
  const domain = `sso-${Date.now()}-${(domainCounter += 1)}.test`;
  await saveSsoSettings(made.as.orgAdmin, made.org.slug, {
    issuer: idp.issuer,
    clientId: DEPUTY_CLIENT.id,
    clientSecret: DEPUTY_CLIENT.secret,
    emailDomains: domain,
    requireSso: options.requireSso ?? false,
  });
  return { ...made, domain };
}

async function refusalOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (e instanceof SsoRefusal ? e.code : `unexpected: ${String(e)}`),
  );
}

describe("SSO settings", () => {
  it("fetches discovery before saving, seals the secret, shows the redirect URI, and audits", async () => {
    const { org, as, domain } = await ssoOrg();
    const row = await db.orgSso.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(row.sealedClientSecret).not.toContain(DEPUTY_CLIENT.secret);
    const { settings, redirectUri } = await getSsoSettings(as.orgAdmin, org.slug);
    expect(settings).toMatchObject({ issuer: idp.issuer, emailDomains: [domain], hasSecret: true });
    expect(JSON.stringify(settings)).not.toContain(DEPUTY_CLIENT.secret);
    expect(redirectUri).toMatch(/\/api\/sso\/callback$/);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "org.sso_changed" },
    });
    expect(JSON.stringify(event)).not.toContain(DEPUTY_CLIENT.secret);

    // An issuer without a discovery document is refused, and nothing changes.
    const wrong = await saveSsoSettings(as.orgAdmin, org.slug, {
      issuer: `${idp.issuer}/nowhere`,
      clientId: "x",
      clientSecret: "y",
      emailDomains: domain,
      requireSso: true,
    }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(AppError);
    expect((wrong as AppError).fieldErrors?.issuer).toMatch(/openid-configuration/);
    expect((await db.orgSso.findUniqueOrThrow({ where: { orgId: org.id } })).requireSso).toBe(false);

    // Only org admins, and a domain belongs to one org.
    expect(
      await saveSsoSettings(as.alphaAdmin, org.slug, {}).catch((e: unknown) => (e as AppError).code),
    ).toBe("FORBIDDEN");
    const other = await makeOrg();
    const taken = await saveSsoSettings(other.as.orgAdmin, other.org.slug, {
      issuer: idp.issuer,
      clientId: DEPUTY_CLIENT.id,
      clientSecret: DEPUTY_CLIENT.secret,
      emailDomains: domain,
      requireSso: false,
    }).catch((e: unknown) => e as AppError);
    expect(taken).toMatchObject({ code: "CONFLICT" });
  });
});

describe("Sign in with SSO", () => {
  it("signs a new person in through the provider, just in time as a member using a seat; audited", async () => {
    const { org, domain } = await ssoOrg();
    const email = `new.person@${domain}`;
    const seatsBefore = await db.orgMembership.count({ where: { orgId: org.id } });
    const start = await startSso(email, "/org/x?tab=1");
    const authorization = new URL(start.redirectTo);
    expect(authorization.origin).toBe(idp.issuer);
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorization.searchParams.get("state")).toBeTruthy();
    expect(authorization.searchParams.get("nonce")).toBeTruthy();

    const back = await idp.authorize(start.redirectTo, email);
    const signedIn = await finishSso(back, start.cookie, SOURCE);
    expect(signedIn.returnTo).toBe("/org/x?tab=1");
    expect(await sessionUser(signedIn.sessionId)).toMatchObject({ email, name: "new person" });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toBeNull();
    expect(await db.orgMembership.findFirst({ where: { orgId: org.id, userId: user.id } })).toMatchObject({
      role: "MEMBER",
    });
    expect(await db.orgMembership.count({ where: { orgId: org.id } })).toBe(seatsBefore + 1);
    expect(
      await db.auditEvent.findFirst({
        where: { orgId: org.id, action: "auth.sso_sign_in", actorId: user.id },
      }),
    ).not.toBeNull();

    // The same person again: matched by email, no second membership.
    const again = await startSso(email, "/");
    await finishSso(await idp.authorize(again.redirectTo, email), again.cookie, SOURCE);
    expect(await db.orgMembership.count({ where: { orgId: org.id } })).toBe(seatsBefore + 1);
    // The login state is single-use in effect: the code was spent.
    expect(await refusalOf(finishSso(back, start.cookie, SOURCE))).toBe("provider");
  });

  it("refuses a tampered state, another nonce, a missing or foreign cookie, a code of another client", async () => {
    const { org, domain } = await ssoOrg();
    const email = `mallory@${domain}`;

    const first = await startSso(email, "/");
    const back = await idp.authorize(first.redirectTo, email);
    const tampered = new URL(back);
    tampered.searchParams.set("state", "tampered");
    expect(await refusalOf(finishSso(tampered, first.cookie, SOURCE))).toBe("provider");
    expect(await refusalOf(finishSso(back, undefined, SOURCE))).toBe("state");
    expect(await refusalOf(finishSso(back, "v1.forged.cookie", SOURCE))).toBe("state");

    // Another nonce than the one this browser asked for.
    const second = await startSso(email, "/");
    const login = JSON.parse(unseal("sso-login-state", second.cookie)) as Record<string, unknown>;
    const otherNonce = seal("sso-login-state", JSON.stringify({ ...login, nonce: "not-the-nonce" }));
    expect(
      await refusalOf(finishSso(await idp.authorize(second.redirectTo, email), otherNonce, SOURCE)),
    ).toBe("provider");

    // A code the provider issued to another client (an ID token for another audience).
    const third = await startSso(email, "/");
    const foreign = new URL(third.redirectTo);
    foreign.searchParams.set("client_id", OTHER_CLIENT.id);
    expect(await refusalOf(finishSso(await idp.authorize(foreign.href, email), third.cookie, SOURCE))).toBe(
      "provider",
    );

    expect(await db.user.count({ where: { email } })).toBe(0);
    expect(
      await db.auditEvent.count({ where: { orgId: org.id, action: "auth.sso_refused" } }),
    ).toBeGreaterThanOrEqual(3);
  });

  it("refuses an address outside the org's domains, an unverified email, and past the seat limit", async () => {
    const { org, domain } = await ssoOrg({ seatLimit: 6 });
    const start = await startSso(`someone@${domain}`, "/");
    // The provider answers for another domain than the one this org's SSO covers.
    expect(
      await refusalOf(
        finishSso(await idp.authorize(start.redirectTo, "someone@elsewhere.test"), start.cookie, SOURCE),
      ),
    ).toBe("domain");
    const unverified = await startSso(`someone@${domain}`, "/");
    expect(
      await refusalOf(
        finishSso(
          await idp.authorize(unverified.redirectTo, `${UNVERIFIED_PREFIX}someone@${domain}`),
          unverified.cookie,
          SOURCE,
        ),
      ),
    ).toBe("unverified");
    const full = await startSso(`seatless@${domain}`, "/");
    expect(
      await refusalOf(
        finishSso(await idp.authorize(full.redirectTo, `seatless@${domain}`), full.cookie, SOURCE),
      ),
    ).toBe("seats");
    expect(await db.user.count({ where: { email: `seatless@${domain}` } })).toBe(0);
    expect(await db.orgMembership.count({ where: { orgId: org.id } })).toBe(6);
    expect(await refusalOf(startSso("nobody@no-sso.test", "/"))).toBe("not_configured");
    expect(await refusalOf(startSso("not an email", "/"))).toBe("email");
  });

  it("Require single sign-on refuses password sign-in for the org's people, except admins (audited)", async () => {
    const { org, people, domain } = await ssoOrg({ requireSso: true });
    const password = "a long enough password";
    const member = await db.user.update({
      where: { id: people.orgMember.id },
      data: { email: `member@${domain}`, passwordHash: await hashPassword(password) },
    });
    const admin = await db.user.update({
      where: { id: people.orgAdmin.id },
      data: { email: `admin@${domain}`, passwordHash: await hashPassword(password) },
    });
    resetSignInLimits();
    const refused = await attemptSignIn({ email: member.email, password, ip: null, userAgent: null }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: "FORBIDDEN" });
    expect((refused as AppError).message).toMatch(/requires single sign-on/);
    // A wrong password says only that.
    expect(
      await attemptSignIn({ email: member.email, password: "wrong wrong", ip: null, userAgent: null }).catch(
        (e: unknown) => (e as AppError).message,
      ),
    ).toBe("Wrong email or password.");
    expect(await attemptSignIn({ email: admin.email, password, ip: null, userAgent: null })).toMatchObject({
      id: admin.id,
    });
    // Another org's person whose email is in the claimed domain keeps their password, and this
    // org's provider cannot sign them in (a domain claim is no takeover).
    const elsewhere = await makeOrg();
    const outsider = await db.user.update({
      where: { id: elsewhere.people.orgMember.id },
      data: { email: `outsider@${domain}`, passwordHash: await hashPassword(password) },
    });
    expect(await attemptSignIn({ email: outsider.email, password, ip: null, userAgent: null })).toMatchObject(
      {
        id: outsider.id,
      },
    );
    await db.orgMembership.create({ data: { orgId: org.id, userId: outsider.id, role: "MEMBER" } });
    expect(await attemptSignIn({ email: outsider.email, password, ip: null, userAgent: null })).toMatchObject(
      {
        id: outsider.id,
      },
    );
    const start = await startSso(outsider.email, "/");
    expect(
      await refusalOf(finishSso(await idp.authorize(start.redirectTo, outsider.email), start.cookie, SOURCE)),
    ).toBe("other_orgs");
    expect(
      await db.auditEvent.findFirst({
        where: { orgId: org.id, action: "auth.sso_password_bypass", actorId: admin.id },
      }),
    ).not.toBeNull();
  });
});

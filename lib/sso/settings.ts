// Settings → Single sign-on (rule 34): an org admin names the org's OpenID provider (issuer,
// client id and secret), the email domains it covers and whether password sign-in is refused for
// them. The issuer's discovery document is fetched (under identity-provider fetch rules) before
// anything is saved; the client secret is sealed and never shown again.
import { z } from "zod";
import * as oidc from "openid-client";
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type PersonPrincipal } from "@/lib/core/principal";
import { authorizeOrg } from "@/lib/authz/guard";
import { config } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { issuerUrlProblem } from "@/lib/federation/issuer-url";
import { seal, unseal } from "@/lib/security/sealed";
import { safeFetch } from "@/lib/security/safe-fetch";
import { zText } from "@/lib/validation/text";

export const SSO_CALLBACK_PATH = "/api/sso/callback";
const SECRET_PURPOSE = "sso-client-secret";
const MAX_DOMAINS = 20;

export const ssoRedirectUri = () => `${config().publicUrl.replace(/\/+$/, "")}${SSO_CALLBACK_PATH}`;

const DOMAIN = /^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** "example.com, Example.org" → ["example.com", "example.org"], each a DNS name. */
export const ZEmailDomains = zText()
  .max(2000)
  .transform((text, ctx) => {
    const domains = [
      ...new Set(
        text
          .split(/[\s,]+/)
          .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
          .filter(Boolean),
      ),
    ];
    const bad = domains.find((d) => !DOMAIN.test(d));
    if (bad) ctx.addIssue({ code: "custom", message: `${bad} is not a domain like example.com.` });
    else if (domains.length === 0)
      ctx.addIssue({ code: "custom", message: "Enter at least one email domain." });
    else if (domains.length > MAX_DOMAINS)
      ctx.addIssue({ code: "custom", message: `At most ${MAX_DOMAINS} domains.` });
    return domains;
  });

export const ZSsoSettingsInput = z
  .object({
    issuer: zText().trim().min(1, "Enter the issuer URL.").max(500),
    clientId: zText().trim().min(1, "Enter the client ID.").max(500),
    /** Blank keeps the saved secret. */
    clientSecret: zText().max(2000).optional().default(""),
    emailDomains: ZEmailDomains,
    requireSso: z.boolean(),
  })
  .strict();

export type SsoSettingsView = {
  issuer: string;
  clientId: string;
  emailDomains: string[];
  requireSso: boolean;
  hasSecret: boolean;
  redirectUri: string;
} | null;

export async function getSsoSettings(
  caller: PersonPrincipal,
  orgSlug: string,
): Promise<{ settings: SsoSettingsView; redirectUri: string }> {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_sign_in");
  const sso = await db.orgSso.findUnique({ where: { orgId: org.id } });
  const domains = await db.ssoDomain.findMany({ where: { orgId: org.id }, orderBy: { domain: "asc" } });
  const redirectUri = ssoRedirectUri();
  return {
    redirectUri,
    settings: sso
      ? {
          issuer: sso.issuer,
          clientId: sso.clientId,
          emailDomains: domains.map((d) => d.domain),
          requireSso: sso.requireSso,
          hasSecret: true,
          redirectUri,
        }
      : null,
  };
}

/** The org's provider as openid-client sees it, discovered under the fetch rules. */
export async function discoverProvider(
  issuer: string,
  clientId: string,
  clientSecret: string,
): Promise<oidc.Configuration> {
  const allowPrivate = config().allowPrivateIssuers;
  const problem = issuerUrlProblem(issuer, allowPrivate);
  if (problem) throw new AppError("INVALID", problem, { issuer: problem });
  const options: oidc.DiscoveryRequestOptions = {
    [oidc.customFetch]: safeFetch({ allowPrivate }),
    ...(allowPrivate && issuer.startsWith("http:") ? { execute: [oidc.allowInsecureRequests] } : {}),
  };
  try {
    const configuration = await oidc.discovery(new URL(issuer), clientId, clientSecret, undefined, options);
    configuration[oidc.customFetch] = safeFetch({ allowPrivate });
    return configuration;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `Could not read ${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration: ${reason.slice(0, 200)}`;
    throw new AppError("INVALID", message, { issuer: message });
  }
}

/**
 * Discovered providers, by org and settings version, for DISCOVERY_CACHE_MS: an anonymous
 * Sign in with SSO costs one indexed read, not a fetch from the org's provider each time.
 */
const DISCOVERY_CACHE_MS = 5 * 60_000;
const discovered = new Map<string, { key: string; expires: number; configuration: oidc.Configuration }>();

/** The saved provider of an org, ready to use (the secret unsealed). */
export async function providerOf(orgId: string) {
  const sso = await db.orgSso.findUnique({ where: { orgId } });
  if (!sso) return null;
  const key = `${sso.updatedAt.getTime()}`;
  const cached = discovered.get(orgId);
  if (cached && cached.key === key && cached.expires > Date.now()) {
    return { sso, configuration: cached.configuration };
  }
  let secret: string;
  try {
    secret = unseal(SECRET_PURPOSE, sso.sealedClientSecret);
  } catch {
    throw new AppError(
      "CONFLICT",
      "The single sign-on client secret cannot be read (AUTH_SECRET changed?): an org admin must enter it again in Settings.",
    );
  }
  const configuration = await discoverProvider(sso.issuer, sso.clientId, secret);
  if (discovered.size > 1000) discovered.clear();
  discovered.set(orgId, { key, expires: Date.now() + DISCOVERY_CACHE_MS, configuration });
  return { sso, configuration };
}

export async function saveSsoSettings(caller: PersonPrincipal, orgSlug: string, input: unknown) {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_sign_in");
  const data = parseInput(ZSsoSettingsInput, input);
  const existing = await db.orgSso.findUnique({ where: { orgId: org.id } });
  let secret = data.clientSecret.trim();
  if (!secret) {
    if (!existing)
      throw new AppError("INVALID", "Enter the client secret.", { clientSecret: "Enter the client secret." });
    secret = unseal(SECRET_PURPOSE, existing.sealedClientSecret);
  }
  // Fetched before saving: a typo in the issuer is found now, not at someone's first sign-in.
  await discoverProvider(data.issuer, data.clientId, secret);
  const taken = await db.ssoDomain.findFirst({
    where: { domain: { in: data.emailDomains }, orgId: { not: org.id } },
    select: { domain: true },
  });
  if (taken) {
    const message = `${taken.domain} is already covered by another organization's single sign-on.`;
    throw new AppError("CONFLICT", message, { emailDomains: message });
  }
  await db.$transaction(async (tx) => {
    const row = {
      issuer: data.issuer,
      clientId: data.clientId,
      requireSso: data.requireSso,
      ...(data.clientSecret.trim() || !existing ? { sealedClientSecret: seal(SECRET_PURPOSE, secret) } : {}),
    };
    await tx.orgSso.upsert({
      where: { orgId: org.id },
      create: { orgId: org.id, ...row, sealedClientSecret: seal(SECRET_PURPOSE, secret) },
      update: row,
    });
    await tx.ssoDomain.deleteMany({ where: { orgId: org.id } });
    await tx.ssoDomain.createMany({ data: data.emailDomains.map((domain) => ({ domain, orgId: org.id })) });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "org.sso_changed",
      target: { type: "org", id: org.id, name: org.slug },
      metadata: {
        issuer: data.issuer,
        clientId: data.clientId,
        emailDomains: data.emailDomains,
        requireSso: data.requireSso,
        clientAuthChanged: Boolean(data.clientSecret.trim()),
      },
    });
  });
  return getSsoSettings(caller, orgSlug);
}

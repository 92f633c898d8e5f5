// Identity providers: an org's trusted JWT issuers (SPEC §1, §3, §4), added, listed and removed
// by its admins, each change audited. An issuer is checked — discovery and key set fetched —
// before it is saved; provider-keys.ts keeps those keys fresh afterwards.
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
import { FetchProblem } from "./fetch";
import { issuerUrlProblem } from "./issuer-url";
import { fetchSigningKeys } from "./provider-keys";

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

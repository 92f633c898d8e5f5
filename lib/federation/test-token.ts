// "Test a token" on a federated account's page: the exchange's own checks (rule 18) against a
// pasted JWT, for people who manage the account. Nothing is issued, stored or logged.
import { db } from "@/lib/db";
import type { Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { loadManagedAccount } from "@/lib/service-accounts/accounts";
import { checkToken, decidingClaims, MAX_JWT_BYTES } from "./checks";
import { providersForIssuer } from "./provider-keys";
import { storedList } from "@/lib/keys/restrictions";
import { AddressRanges } from "@/lib/security/address-ranges";

export async function testTokenForAccount(principal: Principal, accountId: unknown, jwt: unknown) {
  if (typeof jwt !== "string" || jwt.trim() === "" || jwt.length > MAX_JWT_BYTES) {
    throw new AppError("INVALID", "Paste a JWT (at most 16 KB).", { token: "Paste a JWT (at most 16 KB)." });
  }
  const account = await loadManagedAccount(principal, accountId, "view");
  const identity = await db.federatedIdentity.findFirst({
    where: { serviceAccountId: account.id },
    select: { issuer: true, audience: true, subjectPattern: true, claimConditions: true, allowedIps: true },
  });
  if (!identity)
    throw new AppError("INVALID", "This account has no trust settings: it authenticates with API keys.");
  const trust = {
    issuer: identity.issuer,
    audience: identity.audience,
    subject: identity.subjectPattern,
    claims: (identity.claimConditions ?? {}) as Record<string, string>,
  };
  const provider = (await providersForIssuer(identity.issuer)).find((p) => p.orgId === account.orgId) ?? null;
  const { checks, claims } = await checkToken(
    jwt.trim(),
    { name: account.name, status: account.status, deleted: false, trust },
    provider,
  );
  const ranges = storedList(identity.allowedIps);
  // Rule 25: the exchange must come from the trust settings' ranges. The job's address is not
  // known here, so the check is shown against the address this test came from, and decides
  // nothing about the token itself.
  const addressCheck = ranges && {
    id: "client_address",
    label: "Client address (allowedIps)",
    passed: principal.ip !== null && new AddressRanges(ranges).includes(principal.ip),
    detail: `The exchange and every use of its access tokens must come from ${ranges.join(", ")}; this test came from ${principal.ip ?? "an unknown address"}, which is ${principal.ip !== null && new AddressRanges(ranges).includes(principal.ip) ? "inside" : "outside"} them.`,
  };
  return {
    passed: checks.every((c) => c.passed),
    checks: addressCheck ? [...checks, addressCheck] : checks,
    claims: claims
      ? {
          iss: claims.iss ?? null,
          sub: claims.sub ?? null,
          aud: claims.aud ?? null,
          ...decidingClaims(claims, trust),
        }
      : null,
  };
}

// The console's door onto the service-accounts domain: a page's place (Org Dashboard or a team's
// tab) and its form fields become the domain's inputs; field errors keep the form's field names.
// Authorisation is the domain's (accounts.ts, keys.ts), against the signed-in person.
import type { PersonPrincipal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { db } from "@/lib/db";
import { createAccount, deleteAccount, loadManagedAccount, updateAccount } from "./accounts";
import { createKey, revokeKey } from "./keys";
import { resolvePlace } from "./place";
import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { parseClaimLines } from "@/lib/federation/templates";

const ZFederationForm = z.object({
  issuer: zText().trim().min(1, "Choose the identity provider.").max(512),
  audience: zText().trim().min(1, "Enter the audience.").max(256),
  subject: zText().trim().min(1, "Enter the subject.").max(256),
  claims: zText().max(4000).default(""),
});
import {
  ZCreateApiKeyInput,
  ZCreateServiceAccountInput,
  ZDeleteServiceAccountInput,
  ZSetStatusInput,
  ZUpdateServiceAccountInput,
} from "./schemas";

/** "New service account": org-scoped on the Org Dashboard, team-scoped in a team's tab. */
export async function createServiceAccount(caller: PersonPrincipal, placeInput: unknown, input: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const form = parseInput(ZCreateServiceAccountInput, input);
  let team = place.team?.slug;
  if (place.kind === "org") {
    const chosen = form.defaultTeam
      ? await db.team.findFirst({
          where: { slug: form.defaultTeam, orgId: place.org.id },
          select: { slug: true },
        })
      : null;
    if (!chosen) {
      throw new AppError("INVALID", "Check the highlighted fields.", {
        defaultTeam: form.defaultTeam
          ? "Choose a team of this organization."
          : "Choose the team this account logs to when a request names none.",
      });
    }
    team = chosen.slug;
  }
  return createAccount(caller, {
    name: form.name,
    scope: place.kind === "org" ? "ORG" : "TEAM",
    team: team!,
    description: form.description,
    role: form.role,
    authMethod: form.authMethod,
    ...(form.authMethod === "FEDERATED"
      ? {
          federation: {
            issuer: form.issuer ?? "",
            subject: form.subject ?? "",
            audience: form.audience ?? "",
          },
        }
      : {}),
  });
}

/** "Edit": name, description and role. */
export async function updateServiceAccount(caller: PersonPrincipal, accountId: unknown, input: unknown) {
  await updateAccount(caller, accountId, parseInput(ZUpdateServiceAccountInput, input));
}

/** "Disable" or "Enable": keys are refused while disabled and work again once enabled. */
export async function setServiceAccountStatus(caller: PersonPrincipal, accountId: unknown, input: unknown) {
  await updateAccount(caller, accountId, parseInput(ZSetStatusInput, input));
}

/** "Delete", confirmed by typing the account's name. */
export async function deleteServiceAccount(caller: PersonPrincipal, accountId: unknown, input: unknown) {
  const account = await loadManagedAccount(caller, accountId, "delete");
  const { confirmName } = parseInput(ZDeleteServiceAccountInput, input);
  if (confirmName.trim() !== account.name) {
    throw new AppError("INVALID", `Type ${account.name} to confirm.`, {
      confirmName: `Type ${account.name} to confirm.`,
    });
  }
  await deleteAccount(caller, account.id);
}

/** "Edit federation": issuer (a registered provider), audience, subject, and claim lines. */
export async function updateFederation(caller: PersonPrincipal, accountId: unknown, input: unknown) {
  const form = parseInput(ZFederationForm, input);
  const parsed = parseClaimLines(form.claims);
  if ("problem" in parsed)
    throw new AppError("INVALID", "Check the highlighted fields.", { claims: parsed.problem });
  await updateAccount(caller, accountId, {
    federation: {
      issuer: form.issuer,
      audience: form.audience,
      subject: form.subject,
      claims: parsed.claims,
    },
  });
}

/** "Create API key": the dialog's expiry choice ("never", "30", "90", "365") in days. */
export async function createApiKey(caller: PersonPrincipal, accountId: unknown, input: unknown) {
  const form = parseInput(ZCreateApiKeyInput, input);
  return createKey(caller, accountId, {
    name: form.name,
    expiresInDays: form.expiresIn === "never" ? null : Number(form.expiresIn),
  });
}

export async function revokeApiKey(caller: PersonPrincipal, accountId: unknown, apiKeyId: unknown) {
  await revokeKey(caller, accountId, apiKeyId);
}

// The console's door onto the service-accounts domain: a page's place (Org Dashboard or a team's
// tab) and its form fields become the domain's inputs; field errors keep the form's field names.
// Authorisation is the domain's (accounts.ts, lib/keys/lifecycle.ts), against the signed-in person, once: an
// adapter never reads the database itself. Adapters are named `…FromForm` for their door; the
// domain functions they call are named for their job (createAccount, deleteAccount, createKey).
import type { PersonPrincipal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { createAccount, deleteAccount, updateAccount } from "./accounts";
import { createKey, updateKey } from "@/lib/keys/lifecycle";
import { ZCreateApiKeyInput, ZRestrictKeyForm, restrictionsFromForm } from "@/lib/keys/schemas";
import { rangesFromText } from "@/lib/keys/restrictions";
import { resolvePlace } from "./place";
import { parseClaimLines } from "@/lib/federation/templates";
import {
  ZCreateServiceAccountInput,
  ZFederationForm,
  ZSetStatusInput,
  ZUpdateServiceAccountInput,
} from "./schemas";

/** The console's field for the domain's `team`: on the Org Dashboard it is the default-team picker. */
function withFormTeamField<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof AppError && error.fieldErrors?.team !== undefined) {
      const { team, ...rest } = error.fieldErrors;
      throw new AppError(error.code, error.message, { ...rest, defaultTeam: team }, error.reason);
    }
    throw error;
  });
}

/** "New service account": org-scoped on the Org Dashboard, team-scoped in a team's tab. */
export async function createServiceAccountFromForm(
  caller: PersonPrincipal,
  placeInput: unknown,
  input: unknown,
) {
  const place = await resolvePlace(caller, placeInput);
  const form = parseInput(ZCreateServiceAccountInput, input);
  if (place.kind === "org" && !form.defaultTeam) {
    throw new AppError("INVALID", "Check the highlighted fields.", {
      defaultTeam: "Choose the team this account logs to when a request names none.",
    });
  }
  const newAccount = {
    name: form.name,
    scope: place.kind === "org" ? ("ORG" as const) : ("TEAM" as const),
    team: place.kind === "org" ? form.defaultTeam! : place.team.slug,
    description: form.description,
    role: form.role,
    authMethod: form.authMethod,
    ...(form.owner ? { owner: form.owner } : {}),
    ...(form.contact ? { contact: form.contact } : {}),
    ...(form.authMethod === "FEDERATED"
      ? {
          federation: {
            issuer: form.issuer ?? "",
            subject: form.subject ?? "",
            audience: form.audience ?? "",
          },
        }
      : {}),
  };
  if (place.kind === "team") return createAccount(caller, newAccount);
  return withFormTeamField(() => createAccount(caller, newAccount, { orgId: place.org.id }));
}

/** "Edit": name, description and role. */
export async function updateServiceAccountFromForm(
  caller: PersonPrincipal,
  accountId: unknown,
  input: unknown,
) {
  const form = parseInput(ZUpdateServiceAccountInput, input);
  await updateAccount(caller, accountId, {
    name: form.name,
    description: form.description,
    role: form.role,
    ...(form.owner !== undefined ? { owner: form.owner || null } : {}),
    ...(form.contact !== undefined ? { contact: form.contact || null } : {}),
  });
}

/** "Disable" or "Enable": keys are refused while disabled and work again once enabled. */
export async function setServiceAccountStatusFromForm(
  caller: PersonPrincipal,
  accountId: unknown,
  input: unknown,
) {
  await updateAccount(caller, accountId, parseInput(ZSetStatusInput, input));
}

/** "Delete", confirmed by typing the account's name (the domain checks it once it has authorised). */
export async function deleteServiceAccountFromForm(
  caller: PersonPrincipal,
  accountId: unknown,
  input: unknown,
) {
  await deleteAccount(caller, accountId, { confirmation: input });
}

/** "Edit federation": issuer (a registered provider), audience, subject, and claim lines. */
export async function updateFederationFromForm(caller: PersonPrincipal, accountId: unknown, input: unknown) {
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
      allowedIps: rangesFromText(form.allowedIps),
    },
  }).catch((error: unknown) => {
    throw onDialogFields(error);
  });
}

/** "Create API key": the dialog's expiry choice ("never", "30", "90", "365") in days. */
/** The domain names restriction problems by their API path ("restrictions.allowedIps.0"): the dialog by its field. */
function onDialogFields(error: unknown): unknown {
  if (!(error instanceof AppError) || !error.fieldErrors) return error;
  const fields: Record<string, string> = {};
  for (const [path, message] of Object.entries(error.fieldErrors)) {
    const field = path.replace(/^(restrictions|federation)\./, "").split(".")[0]!;
    fields[field] ??= message;
  }
  return new AppError(error.code, error.message, fields, error.reason);
}

export async function createApiKeyFromForm(caller: PersonPrincipal, accountId: unknown, input: unknown) {
  const form = parseInput(ZCreateApiKeyInput, input);
  try {
    return await createKey(caller, accountId, {
      name: form.name,
      expiresInDays: form.expiresIn === "never" ? null : Number(form.expiresIn),
      restrictions: restrictionsFromForm(form),
    });
  } catch (error) {
    throw onDialogFields(error);
  }
}

/** "Restrict" (rule 27): the dialog's restriction fields replace the key's restrictions. */
export async function restrictApiKeyFromForm(
  caller: PersonPrincipal,
  accountId: unknown,
  apiKeyId: unknown,
  input: unknown,
) {
  const form = parseInput(ZRestrictKeyForm, input);
  try {
    return await updateKey(caller, accountId, apiKeyId, { restrictions: restrictionsFromForm(form) });
  } catch (error) {
    throw onDialogFields(error);
  }
}

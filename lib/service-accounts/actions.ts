"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import {
  createApiKeyFromForm,
  createServiceAccountFromForm,
  deleteServiceAccountFromForm,
  restrictApiKeyFromForm,
  setServiceAccountStatusFromForm,
  updateFederationFromForm,
  updateServiceAccountFromForm,
} from "./console";
import { revokeKey, rotateKey } from "@/lib/keys/lifecycle";
import { projectChoicesForKey } from "@/lib/keys/project-choices";
import { suggestRestrictions } from "@/lib/keys/suggested-restrictions";
import { listServiceAccounts } from "./queries";

// Every action authenticates and authorizes itself: each one is a public POST endpoint, and
// ids are checked against the caller's org and team in the database.

export async function listServiceAccountsAction(place: unknown, filters: unknown) {
  return runAction(async () => listServiceAccounts(await requireActionCaller(), place, filters));
}

export async function createServiceAccountAction(place: unknown, input: unknown) {
  return runAction(async () => createServiceAccountFromForm(await requireActionCaller(), place, input));
}

export async function updateServiceAccountAction(accountId: unknown, input: unknown) {
  return runAction(async () => updateServiceAccountFromForm(await requireActionCaller(), accountId, input));
}

export async function setServiceAccountStatusAction(accountId: unknown, input: unknown) {
  return runAction(async () =>
    setServiceAccountStatusFromForm(await requireActionCaller(), accountId, input),
  );
}

export async function deleteServiceAccountAction(accountId: unknown, input: unknown) {
  return runAction(async () => deleteServiceAccountFromForm(await requireActionCaller(), accountId, input));
}

export async function createApiKeyAction(accountId: unknown, input: unknown) {
  return runAction(async () => createApiKeyFromForm(await requireActionCaller(), accountId, input));
}

/** The Create API key dialog's project picker: projects the account can reach. */
export async function keyProjectChoicesAction(accountId: unknown) {
  return runAction(async () => projectChoicesForKey(await requireActionCaller(), accountId));
}

export async function revokeApiKeyAction(accountId: unknown, apiKeyId: unknown) {
  return runAction(async () => revokeKey(await requireActionCaller(), accountId, apiKeyId));
}

export async function updateFederationAction(accountId: unknown, input: unknown) {
  return runAction(async () => updateFederationFromForm(await requireActionCaller(), accountId, input));
}

/** "Rotate": a new key shown once; the old one works until the end of the chosen grace period. */
export async function rotateApiKeyAction(accountId: unknown, apiKeyId: unknown, input: unknown) {
  return runAction(async () =>
    rotateKey(await requireActionCaller(), accountId, apiKeyId, input as { graceHours: number }),
  );
}

/** Restrict (rule 27): what the key did in the last 30 days and the restrictions that fit it. */
export async function suggestKeyRestrictionsAction(accountId: unknown, apiKeyId: unknown) {
  return runAction(async () => suggestRestrictions(await requireActionCaller(), accountId, apiKeyId));
}

/** Restrict (rule 27): applies the dialog's restrictions in one step (audited like any change). */
export async function restrictApiKeyAction(accountId: unknown, apiKeyId: unknown, input: unknown) {
  return runAction(async () =>
    restrictApiKeyFromForm(await requireActionCaller(), accountId, apiKeyId, input),
  );
}

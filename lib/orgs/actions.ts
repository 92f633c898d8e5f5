"use server";

import { requestSource } from "@/lib/request-context";
import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { addOrgMember, changeOrgMemberRole, removeOrgMember } from "./members";
import { updateOrgSettings } from "./settings";
import { updatePolicies } from "./policies";
import { ZPoliciesForm } from "./policy-rules";
import { parseInput } from "@/lib/actions/result";
import { createFirstOrganization } from "./setup";
import { endMemberSessions } from "@/lib/users/sessions";

// Every action authenticates and authorizes itself: each one is a public POST endpoint.

export async function setupAction(input: unknown) {
  return runAction(async () => createFirstOrganization(input, await requestSource()));
}

export async function addOrgMemberAction(orgSlug: string, input: unknown) {
  return runAction(async () => addOrgMember(await requireActionCaller(), orgSlug, input));
}

export async function changeOrgMemberRoleAction(orgSlug: string, input: unknown) {
  return runAction(async () => changeOrgMemberRole(await requireActionCaller(), orgSlug, input));
}

export async function removeOrgMemberAction(orgSlug: string, input: unknown) {
  return runAction(async () => removeOrgMember(await requireActionCaller(), orgSlug, input));
}

/** Members → End sessions (rule 36). */
export async function endMemberSessionsAction(orgSlug: string, input: unknown) {
  return runAction(async () =>
    endMemberSessions(await requireActionCaller(), orgSlug, (input as { userId?: unknown } | null)?.userId),
  );
}

export async function updateOrgSettingsAction(orgSlug: string, input: unknown) {
  return runAction(async () => updateOrgSettings(await requireActionCaller(), orgSlug, input));
}

/** Settings → Policies (rule 31): the form sends every policy; anything else is refused. */
export async function updatePoliciesAction(orgSlug: string, input: unknown) {
  return runAction(async () =>
    updatePolicies(await requireActionCaller(), orgSlug, parseInput(ZPoliciesForm, input)),
  );
}

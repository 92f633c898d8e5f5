"use server";

import { requestSource } from "@/lib/request-context";
import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { addOrgMember, changeOrgMemberRole, removeOrgMember } from "./members";
import { updateOrgSettings } from "./settings";
import { updatePolicies } from "./policies";
import { createFirstOrganization } from "./setup";

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

export async function updateOrgSettingsAction(orgSlug: string, input: unknown) {
  return runAction(async () => updateOrgSettings(await requireActionCaller(), orgSlug, input));
}

/** Settings → Policies (rule 31): the form's fields as the domain's changes. */
export async function updatePoliciesAction(orgSlug: string, input: unknown) {
  return runAction(async () => {
    const form = (input ?? {}) as Record<string, unknown>;
    return updatePolicies(await requireActionCaller(), orgSlug, {
      apiKeys: form.apiKeys as never,
      requireOwner: form.requireOwner === true || form.requireOwner === "on",
      requireAllowedIpsForOrgScope:
        form.requireAllowedIpsForOrgScope === true || form.requireAllowedIpsForOrgScope === "on",
    });
  });
}

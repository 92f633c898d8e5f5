"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import {
  addTeamMember,
  changeTeamMemberRole,
  createTeam,
  deleteTeam,
  removeTeamMember,
  renameTeam,
} from "./data";

// Every action authenticates and authorizes itself: each one is a public POST endpoint.

export async function createTeamAction(orgSlug: string, input: unknown) {
  return runAction(async () => createTeam(await requireActionCaller(), orgSlug, input));
}

export async function renameTeamAction(orgSlug: string, input: unknown) {
  return runAction(async () => renameTeam(await requireActionCaller(), orgSlug, input));
}

export async function deleteTeamAction(orgSlug: string, input: unknown) {
  return runAction(async () => deleteTeam(await requireActionCaller(), orgSlug, input));
}

export async function addTeamMemberAction(teamSlug: string, input: unknown) {
  return runAction(async () => addTeamMember(await requireActionCaller(), teamSlug, input));
}

export async function changeTeamMemberRoleAction(teamSlug: string, input: unknown) {
  return runAction(async () => changeTeamMemberRole(await requireActionCaller(), teamSlug, input));
}

export async function removeTeamMemberAction(teamSlug: string, input: unknown) {
  return runAction(async () => removeTeamMember(await requireActionCaller(), teamSlug, input));
}

"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { changeProjectVisibility, createProject, grantProjectAccess, revokeProjectAccess } from "./data";
import { searchGrantCandidates } from "./grant-candidates";

// Every action authenticates and authorizes itself: each one is a public POST endpoint.

export async function createProjectAction(teamSlug: string, input: unknown) {
  return runAction(async () => createProject(await requireActionCaller(), teamSlug, input));
}

export async function changeProjectVisibilityAction(teamSlug: string, input: unknown) {
  return runAction(async () => changeProjectVisibility(await requireActionCaller(), teamSlug, input));
}

export async function grantProjectAccessAction(teamSlug: string, input: unknown) {
  return runAction(async () => grantProjectAccess(await requireActionCaller(), teamSlug, input));
}

export async function revokeProjectAccessAction(teamSlug: string, input: unknown) {
  return runAction(async () => revokeProjectAccess(await requireActionCaller(), teamSlug, input));
}

export async function searchGrantCandidatesAction(teamSlug: string, input: unknown) {
  return runAction(async () => searchGrantCandidates(await requireActionCaller(), teamSlug, input));
}

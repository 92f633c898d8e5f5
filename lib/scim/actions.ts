"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { generateScimToken, revokeScimToken } from "./tokens";

/** Settings → SCIM provisioning → Generate SCIM token: the token once, with the base URL. */
export async function generateScimTokenAction(orgSlug: string) {
  return runAction(async () => generateScimToken(await requireActionCaller(), orgSlug));
}

export async function revokeScimTokenAction(orgSlug: string) {
  return runAction(async () => revokeScimToken(await requireActionCaller(), orgSlug));
}

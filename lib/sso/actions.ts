"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { saveSsoSettings } from "./settings";

/** Settings → Single sign-on → Save (rule 34). */
export async function saveSsoSettingsAction(orgSlug: string, input: unknown) {
  return runAction(async () => {
    const { settings } = await saveSsoSettings(await requireActionCaller(), orgSlug, input);
    return settings;
  });
}

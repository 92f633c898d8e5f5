"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { AppError } from "@/lib/errors";
import { MAX_REPORTED_TOKENS, acknowledgeLeaks, reportLeakedKeys } from "./leaks";

/** "Report leaked keys": keys pasted by an org admin, one per line (or separated by spaces). */
export async function reportLeakedKeysAction(orgSlug: unknown, text: unknown) {
  return runAction(async () => {
    const caller = await requireActionCaller();
    if (typeof text !== "string" || text.length > 64 * 1024) {
      throw new AppError("INVALID", "Paste the leaked keys.", { keys: "Paste the leaked keys." });
    }
    const tokens = [...new Set(text.split(/\s+/).filter(Boolean))];
    if (tokens.length === 0)
      throw new AppError("INVALID", "Paste at least one key.", { keys: "Paste at least one key." });
    if (tokens.length > MAX_REPORTED_TOKENS) {
      throw new AppError("INVALID", `Paste at most ${MAX_REPORTED_TOKENS} keys at once.`, {
        keys: "Too many keys.",
      });
    }
    const results = await reportLeakedKeys(
      { kind: "principal", principal: caller, orgSlug: typeof orgSlug === "string" ? orgSlug : undefined },
      tokens.map((token) => ({ token, source: "console" })),
    );
    // The browser already holds what it pasted: answer each key's last 4 characters, never more.
    return results.map((r, i) => ({ ...r, last4: tokens[i]!.slice(-4) }));
  });
}

/** The account page's "Acknowledge" on its leaked-key banner. */
export async function acknowledgeLeaksAction(accountId: unknown) {
  return runAction(async () => acknowledgeLeaks(await requireActionCaller(), accountId as string));
}

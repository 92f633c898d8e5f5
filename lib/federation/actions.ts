"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { addIdentityProvider, removeIdentityProvider, type TNewIdentityProvider } from "./providers";
import { testTokenForAccount } from "./test-token";

// Each action authenticates and authorises itself (org admins of the org it names).

export async function addIdentityProviderAction(orgSlug: unknown, input: unknown) {
  return runAction(async () => {
    const provider = await addIdentityProvider(
      await requireActionCaller(),
      orgSlug as string,
      input as TNewIdentityProvider,
    );
    return { id: provider.id, keyCount: provider.keyCount };
  });
}

export async function removeIdentityProviderAction(orgSlug: unknown, providerId: unknown) {
  return runAction(async () =>
    removeIdentityProvider(await requireActionCaller(), orgSlug as string, providerId),
  );
}

/** "Test a token": every check of rule 18 for one account; nothing issued, nothing stored. */
export async function testTokenAction(accountId: unknown, jwt: unknown) {
  return runAction(async () => testTokenForAccount(await requireActionCaller(), accountId, jwt));
}

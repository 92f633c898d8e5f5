"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { changeOwnPassword } from "./data";
import { endOwnSessions, listOwnSessions } from "./sessions";

export async function changePasswordAction(input: unknown) {
  return runAction(async () =>
    changeOwnPassword(await requireActionCaller({ allowPendingPasswordChange: true }), input),
  );
}

/** The account page's session list. */
export async function listOwnSessionsAction() {
  return runAction(async () =>
    listOwnSessions(await requireActionCaller({ allowPendingPasswordChange: true })),
  );
}

/** Sign out everywhere (rule 36): every session of the caller ends, this one included. */
export async function signOutEverywhereAction() {
  return runAction(async () =>
    endOwnSessions(await requireActionCaller({ allowPendingPasswordChange: true })),
  );
}

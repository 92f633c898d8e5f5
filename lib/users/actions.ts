"use server";

import { requireActionCaller } from "@/lib/auth/session";
import { runAction } from "@/lib/actions/result";
import { changeOwnPassword } from "./data";

export async function changePasswordAction(input: unknown) {
  return runAction(async () =>
    changeOwnPassword(await requireActionCaller({ allowPendingPasswordChange: true }), input),
  );
}

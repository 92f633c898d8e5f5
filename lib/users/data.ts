import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type PersonPrincipal } from "@/lib/core/principal";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { beginPasswordAttempt } from "@/lib/auth/sign-in";
import { parseInput } from "@/lib/actions/result";
import { AppError } from "@/lib/errors";
import { ZChangePasswordInput } from "./schemas";
import { endAllSessions } from "./sessions";

/**
 * Changes the caller's own password. Every session of the person ends in the same transaction;
 * the form signs in again with the new password (a fresh session).
 */
export async function changeOwnPassword(caller: PersonPrincipal, input: unknown): Promise<{ email: string }> {
  const data = parseInput(ZChangePasswordInput, input);
  const user = await db.user.findUniqueOrThrow({
    where: { id: caller.user.id },
    select: { passwordHash: true, email: true },
  });
  // Guesses at the current password count toward the same limits as sign-in: a stolen session
  // must not become an unlimited password oracle.
  const counted = beginPasswordAttempt(user.email, caller.ip);
  if (!(await verifyPassword(data.currentPassword, user.passwordHash))) {
    throw new AppError("INVALID", "Your current password is not right.", {
      currentPassword: "Not your current password.",
    });
  }
  counted.succeeded();
  const passwordHash = await hashPassword(data.newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: caller.user.id },
      data: { passwordHash, mustChangePassword: false },
    });
    await endAllSessions(caller.user.id, tx);
    const orgs = await tx.orgMembership.findMany({
      where: { userId: caller.user.id },
      select: { orgId: true },
    });
    for (const { orgId } of orgs) {
      await recordAudit(tx, {
        orgId,
        ...auditSourceOf(caller),
        action: "user.password_changed",
        target: { type: "user", id: caller.user.id, name: user.email },
      });
    }
  });
  return { email: user.email };
}

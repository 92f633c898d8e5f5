import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { changeOwnPassword } from "@/lib/users/data";
import { openSession } from "@/lib/users/sessions";
import { ACCOUNT_FAIL_LIMIT, resetSignInLimits } from "@/lib/auth/sign-in";
import { callerOf, makeOrg } from "../support/factories";

describe("changeOwnPassword", () => {
  it("checks the current password, clears the one-time flag, ends old sessions and audits", async () => {
    const { org, people } = await makeOrg();
    const user = await db.user.update({
      where: { id: people.orgMember.id },
      data: { passwordHash: await hashPassword("one-time-pass-123"), mustChangePassword: true },
    });
    const caller = callerOf(user);
    await openSession(user.id, { method: "password", ip: null, userAgent: "one browser" });
    await openSession(user.id, { method: "password", ip: null, userAgent: "another browser" });

    const wrong = await changeOwnPassword(caller, {
      currentPassword: "nope",
      newPassword: "a brand new password",
    }).catch((e: unknown) => e);
    expect((wrong as AppError).fieldErrors).toEqual({ currentPassword: "Not your current password." });
    const same = await changeOwnPassword(caller, {
      currentPassword: "one-time-pass-123",
      newPassword: "one-time-pass-123",
    }).catch((e: unknown) => e);
    expect((same as AppError).fieldErrors?.newPassword).toMatch(/different/);

    await changeOwnPassword(caller, {
      currentPassword: "one-time-pass-123",
      newPassword: "a brand new password",
    });
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.mustChangePassword).toBe(false);
    expect(await db.userSession.count({ where: { userId: user.id } })).toBe(2);
    expect(await db.userSession.count({ where: { userId: user.id, endedAt: null } })).toBe(0);
    expect(await verifyPassword("a brand new password", after.passwordHash)).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "user.password_changed" },
    });
    expect(event.metadata).toEqual({});
  });

  it("limits guesses at the current password like sign-in, parallel ones included", async () => {
    resetSignInLimits();
    const { people } = await makeOrg();
    const user = await db.user.update({
      where: { id: people.orgMember.id },
      data: { passwordHash: await hashPassword("the real password 1") },
    });
    const caller = callerOf(user);
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        changeOwnPassword(caller, { currentPassword: `guess-${i}`, newPassword: "whatever long pw" }).catch(
          (e: unknown) => (e as AppError).code,
        ),
      ),
    );
    expect(guesses.filter((code) => code === "INVALID")).toHaveLength(ACCOUNT_FAIL_LIMIT);
    expect(guesses.filter((code) => code === "RATE_LIMITED")).toHaveLength(20 - ACCOUNT_FAIL_LIMIT);
    const right = await changeOwnPassword(caller, {
      currentPassword: "the real password 1",
      newPassword: "a brand new password",
    }).catch((e: unknown) => (e as AppError).code);
    expect(right).toBe("RATE_LIMITED");
  });
});

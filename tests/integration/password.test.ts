import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { changeOwnPassword } from "@/lib/users/data";
import { callerOf, makeOrg } from "../support/factories";

describe("changeOwnPassword", () => {
  it("checks the current password, clears the one-time flag, ends old sessions and audits", async () => {
    const { org, people } = await makeOrg();
    const user = await db.user.update({
      where: { id: people.orgMember.id },
      data: { passwordHash: await hashPassword("one-time-pass-123"), mustChangePassword: true },
    });
    const caller = callerOf(user);

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
    expect(after.sessionVersion).toBe(user.sessionVersion + 1);
    expect(await verifyPassword("a brand new password", after.passwordHash)).toBe(true);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "user.password_changed" },
    });
    expect(event.metadata).toBe("{}");
  });
});

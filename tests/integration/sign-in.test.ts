import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { ACCOUNT_FAIL_LIMIT, attemptSignIn, resetSignInLimits } from "@/lib/auth/sign-in";
import { AppError } from "@/lib/errors";
import { makeOrg, makeUser } from "../support/factories";

const PASSWORD = "a proper long password";

async function messageOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error.message;
}

const attempt = (email: string, password: string, ip = "192.0.2.10") =>
  attemptSignIn({ email, password, ip, userAgent: "vitest" });

beforeEach(() => resetSignInLimits());

describe("attemptSignIn", () => {
  it("signs in with the right password, case-insensitive email", async () => {
    const user = await makeUser("dana@example.com", await hashPassword(PASSWORD));
    expect(await attempt("Dana@Example.com", PASSWORD)).toEqual({
      id: user.id,
      email: user.email,
      name: user.name,
    });
  });

  it("answers a wrong password and an unknown email the same way", async () => {
    await makeUser("erin@example.com", await hashPassword(PASSWORD));
    expect(await messageOf(attempt("erin@example.com", "wrong password!"))).toBe("Wrong email or password.");
    expect(await messageOf(attempt("nobody@example.com", PASSWORD))).toBe("Wrong email or password.");
    expect(await messageOf(attempt("", ""))).toBe("Enter your email and password.");
  });

  it("pauses an account after repeated failures, even with the right password, and audits the burst once", async () => {
    const { org } = await makeOrg();
    const user = await makeUser("frank@example.com", await hashPassword(PASSWORD));
    await db.orgMembership.create({ data: { orgId: org.id, userId: user.id } });
    for (let i = 0; i < ACCOUNT_FAIL_LIMIT; i++) {
      // Spread over addresses so only the per-account limit is reached.
      await messageOf(attempt("frank@example.com", `wrong-${i}`, `192.0.2.${i}`));
    }
    expect(await messageOf(attempt("frank@example.com", PASSWORD, "192.0.2.200"))).toMatch(
      /Too many failed sign-in attempts. Wait 15 minutes/,
    );
    const events = await db.auditEvent.findMany({
      where: { orgId: org.id, action: "auth.sign_in_failures_burst" },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: "ANONYMOUS", targetName: "frank@example.com" });
    expect(JSON.stringify(events[0]!.metadata)).not.toMatch(/wrong-/);
  });

  it("limits failures per client address across accounts", async () => {
    const user = await makeUser("gina@example.com", await hashPassword(PASSWORD));
    const limit = Number(process.env.DEPUTY_AUTH_FAIL_LIMIT);
    for (let i = 0; i < limit; i++) await messageOf(attempt(`nobody-${i}@example.com`, "x", "192.0.2.99"));
    expect(await messageOf(attempt(user.email, PASSWORD, "192.0.2.99"))).toMatch(
      /Too many failed sign-in attempts/,
    );
    // Another address is unaffected.
    expect((await attempt(user.email, PASSWORD, "192.0.2.100")).id).toBe(user.id);
  });
});

describe("parallel guesses (SPEC §8)", () => {
  it("evaluates at most the limit of 24 parallel wrong passwords; the right one sent last is refused too", async () => {
    const user = await makeUser("hugo@example.com", await hashPassword(PASSWORD));
    const guesses = Array.from({ length: 24 }, (_, i) =>
      messageOf(attempt(user.email, `wrong-${i}`, `198.51.100.${i}`)),
    );
    const right = messageOf(attempt(user.email, PASSWORD, "198.51.100.250"));
    const messages = [...(await Promise.all(guesses)), await right];
    const evaluated = messages.filter((m) => m === "Wrong email or password.");
    expect(evaluated).toHaveLength(ACCOUNT_FAIL_LIMIT);
    expect(messages.at(-1)).toMatch(/Too many failed sign-in attempts/);
  });

  it("takes back the counted attempt when the password was right", async () => {
    const user = await makeUser("iris@example.com", await hashPassword(PASSWORD));
    const limit = Number(process.env.DEPUTY_AUTH_FAIL_LIMIT);
    for (let i = 0; i < limit + 5; i++)
      expect((await attempt(user.email, PASSWORD, "192.0.2.77")).id).toBe(user.id);
  });
});

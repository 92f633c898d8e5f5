import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { db } from "@/lib/db";
import { config } from "@/lib/config/env";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { FailureRateLimiter } from "./rate-limiter";
import { dummyPasswordHash, verifyPassword } from "./password";
import { ssoRequiredFor } from "@/lib/sso/domains";

/** Failed sign-ins allowed per account in ACCOUNT_WINDOW_MS before the account is paused. */
export const ACCOUNT_FAIL_LIMIT = 10;
const ACCOUNT_WINDOW_MS = 15 * 60_000;
const ADDRESS_WINDOW_MS = 60_000;

type Limiters = { byAccount: FailureRateLimiter; byAddress: FailureRateLimiter };
const globalForLimits = globalThis as unknown as { deputySignInLimits?: Limiters };

function limiters(): Limiters {
  globalForLimits.deputySignInLimits ??= {
    byAccount: new FailureRateLimiter(ACCOUNT_FAIL_LIMIT, ACCOUNT_WINDOW_MS),
    byAddress: new FailureRateLimiter(config().authFailLimit, ADDRESS_WINDOW_MS),
  };
  return globalForLimits.deputySignInLimits;
}

/** Forgets every failure count (tests). */
export function resetSignInLimits(): void {
  delete globalForLimits.deputySignInLimits;
}

const ZCredentials = z.object({
  email: zText().trim().toLowerCase().min(1).max(254),
  password: zText().min(1).max(1024),
});

export type SignInAttempt = {
  email: unknown;
  password: unknown;
  ip: string | null;
  userAgent: string | null;
};
export type SignedInUser = { id: string; email: string; name: string };

const WRONG_CREDENTIALS = "Wrong email or password.";

function tooMany(ms: number): AppError {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  return new AppError(
    "RATE_LIMITED",
    `Too many failed sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try again.`,
  );
}

/** A password attempt counted against the limits before the password is checked. */
export type PasswordAttempt = { accountFailures: number; succeeded(): void };

/**
 * Counts a password attempt against the account's and the address's limits *before* the
 * password is checked, so that parallel guesses cannot all be evaluated while the first ones
 * are still hashing (SPEC §8). Throws RATE_LIMITED when either limit is reached. Call
 * `succeeded()` when the password was right: the account's failures are cleared and the
 * address's count is taken back. Shared by sign-in and the current-password check.
 */
export function beginPasswordAttempt(email: string, ip: string | null): PasswordAttempt {
  const accountKey = `account:${email}`;
  const addressKey = `address:${ip ?? "unknown"}`;
  const { byAccount, byAddress } = limiters();
  const waitMs = Math.max(byAccount.retryAfterMs(accountKey), byAddress.retryAfterMs(addressKey));
  if (waitMs > 0) throw tooMany(waitMs);
  // No await between the check above and the counting below: that is what makes it atomic.
  const accountFailures = byAccount.recordFailure(accountKey);
  byAddress.recordFailure(addressKey);
  return {
    accountFailures,
    succeeded() {
      byAccount.reset(accountKey);
      byAddress.forgive(addressKey);
    },
  };
}

/**
 * Checks an email and password. Failed attempts are limited per account and per client address;
 * the attempt that reaches an account's limit writes one audit event per org of that account.
 */
export async function attemptSignIn(attempt: SignInAttempt): Promise<SignedInUser> {
  const parsed = ZCredentials.safeParse(attempt);
  if (!parsed.success) throw new AppError("INVALID", "Enter your email and password.");
  const { email, password } = parsed.data;
  const counted = beginPasswordAttempt(email, attempt.ip);

  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  // Hash even for an unknown email so timing does not reveal which emails have accounts.
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (user && ok) {
    counted.succeeded();
    await checkSsoRequirement(user, attempt);
    return { id: user.id, email: user.email, name: user.name };
  }

  const accountFailures = counted.accountFailures;
  if (user && accountFailures === ACCOUNT_FAIL_LIMIT) {
    const orgs = await db.orgMembership.findMany({ where: { userId: user.id }, select: { orgId: true } });
    await db.$transaction(async (tx) => {
      for (const { orgId } of orgs) {
        await recordAudit(tx, {
          orgId,
          actor: { type: "ANONYMOUS", identity: attempt.ip ?? "unknown address" },
          action: "auth.sign_in_failures_burst",
          target: { type: "user", id: user.id, name: user.email },
          metadata: { failures: accountFailures, windowMinutes: ACCOUNT_WINDOW_MS / 60_000 },
          ip: attempt.ip,
          userAgent: attempt.userAgent,
        });
      }
    });
  }
  throw new AppError("INVALID", WRONG_CREDENTIALS);
}

/**
 * Require single sign-on (rule 34): a right password is still refused for the org's people of
 * its domains — except its admins, the break-glass path, which is audited. Checked only after the
 * password was right, so the answer tells a guesser nothing about who is an admin. It governs
 * the org's own people only: someone outside it, or also in another org (whom single sign-on
 * does not sign in either), keeps their password — an org cannot lock out another's people by
 * claiming their domain.
 */
async function checkSsoRequirement(user: { id: string; email: string }, attempt: SignInAttempt) {
  const required = await ssoRequiredFor(user.email);
  if (!required) return;
  const memberships = await db.orgMembership.findMany({
    where: { userId: user.id },
    select: { orgId: true, role: true },
  });
  const membership = memberships.find((m) => m.orgId === required.orgId);
  if (!membership || memberships.length > 1) return;
  if (membership.role !== "ADMIN") {
    throw new AppError(
      "FORBIDDEN",
      `Your organization requires single sign-on for ${required.domain} addresses: use Sign in with SSO.`,
    );
  }
  await recordAudit(db, {
    orgId: required.orgId,
    actor: { type: "USER", id: user.id, identity: user.email },
    action: "auth.sso_password_bypass",
    target: { type: "user", id: user.id, name: user.email },
    metadata: { domain: required.domain },
    ip: attempt.ip,
    userAgent: attempt.userAgent,
  });
}

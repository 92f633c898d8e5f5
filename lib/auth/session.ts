import { cache } from "react";
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { sessionUser } from "@/lib/users/sessions";
import { AppError } from "@/lib/errors";
import { requestPath, requestSource } from "@/lib/request-context";
import { authOptions, type SessionIdentity } from "./options";
import type { PersonPrincipal } from "@/lib/core/principal";

/**
 * The signed-in person, read with their session row once per request, or null: a session that
 * was ended (sign-out, Sign out everywhere, End sessions, removal, a password change) or a
 * deleted person has none.
 */
export const getSessionUser = cache(async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const identity = session?.user as Partial<SessionIdentity> | undefined;
  if (!identity?.id || !identity.sessionId) return null;
  const user = await sessionUser(identity.sessionId);
  if (!user || user.id !== identity.id) return null;
  return { ...user, sessionId: identity.sessionId };
});

export type SessionUser = PersonPrincipal["user"] & { mustChangePassword: boolean; sessionId: string };

export const CHANGE_PASSWORD_PATH = "/account/password";

/**
 * For pages: the signed-in person, or a redirect to /login that comes back here afterwards.
 * Someone still on a one-time password is sent to choose their own first.
 */
export async function requirePageUser(): Promise<SessionUser> {
  const user = await getSessionUser();
  const path = await requestPath();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
  if (user.mustChangePassword && !path.startsWith(CHANGE_PASSWORD_PATH)) {
    redirect(`${CHANGE_PASSWORD_PATH}?callbackUrl=${encodeURIComponent(path)}`);
  }
  return user;
}

/**
 * For server actions: the caller, or UNAUTHENTICATED (an action is a public POST endpoint).
 * Someone still on a one-time password may do nothing but change it (SPEC §8): only the
 * change-password action passes `allowPendingPasswordChange`.
 */
export async function requireActionCaller(
  options: { allowPendingPasswordChange?: boolean } = {},
): Promise<PersonPrincipal> {
  const user = await getSessionUser();
  if (!user) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
  if (user.mustChangePassword && !options.allowPendingPasswordChange) {
    throw new AppError(
      "FORBIDDEN",
      "Choose your own password first: your one-time password only lets you change it (Account → Password).",
    );
  }
  return callerFrom(user);
}

/** For pages: the signed-in caller (or a redirect to sign in and back). */
export async function pageCaller(): Promise<PersonPrincipal> {
  return callerFrom(await requirePageUser());
}

async function callerFrom(user: SessionUser): Promise<PersonPrincipal> {
  return {
    user: { id: user.id, email: user.email, name: user.name },
    sessionId: user.sessionId,
    ...(await requestSource()),
  };
}

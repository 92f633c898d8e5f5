// The cookies single sign-on sets: its own short-lived login state, and next-auth's session
// cookie (a JWT naming the session row, exactly as a password sign-in makes it), so that every
// later request is one next-auth already understands.
import { encode } from "next-auth/jwt";
import { authOptions } from "./options";
import { config } from "@/lib/config/env";
import { SESSION_MAX_AGE_S } from "@/lib/users/sessions";
import { SSO_COOKIE, SSO_COOKIE_MAX_AGE_S } from "@/lib/sso/flow";

const secure = () => config().publicUrl.startsWith("https://");

function cookie(name: string, value: string, maxAge: number, path: string): string {
  return [
    `${name}=${value}`,
    `Path=${path}`,
    `Max-Age=${maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(secure() ? ["Secure"] : []),
  ].join("; ");
}

export const loginStateCookie = (value: string) =>
  cookie(SSO_COOKIE, value, SSO_COOKIE_MAX_AGE_S, "/api/sso");
export const clearLoginStateCookie = () => cookie(SSO_COOKIE, "", 0, "/api/sso");

/** next-auth's session cookie for a session opened by single sign-on. */
export async function sessionCookie(userId: string, sessionId: string): Promise<string> {
  const name = `${secure() ? "__Secure-" : ""}next-auth.session-token`;
  const token = await encode({
    token: { sub: userId, sid: sessionId },
    secret: authOptions.secret!,
    maxAge: SESSION_MAX_AGE_S,
  });
  return cookie(name, token, SESSION_MAX_AGE_S, "/");
}

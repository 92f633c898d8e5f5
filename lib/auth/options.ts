import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { config } from "@/lib/config/env";
import { resolveAuthSecret } from "@/lib/config/auth-secret";
import { AppError } from "@/lib/errors";
import { CLIENT_IP_HEADER } from "@/lib/request-headers";
import { endSession, openSession, SESSION_MAX_AGE_S } from "@/lib/users/sessions";
import { attemptSignIn } from "./sign-in";

/** What the session token carries: who, and which session row (rule 36) it belongs to. */
export type SessionIdentity = { id: string; sessionId: string };
/** What `authorize` hands to the jwt callback. */
type SignedInSession = { id: string; email: string; name: string; sessionId: string };

process.env.NEXTAUTH_URL ??= config().publicUrl;

function headerOf(req: unknown, name: string): string | null {
  const headers = (req as { headers?: unknown } | undefined)?.headers;
  if (!headers) return null;
  if (headers instanceof Headers) return headers.get(name);
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : null;
}

/**
 * next-auth with email + password. The session token carries only the user id: every page and
 * action reads the person's rights from the database, so changes apply on the next request.
 * Cookies are HttpOnly and SameSite=Lax, and Secure when DEPUTY_PUBLIC_URL is https.
 */
export const authOptions: NextAuthOptions = {
  secret: resolveAuthSecret(config().authSecret),
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
  pages: { signIn: "/login" },
  useSecureCookies: config().publicUrl.startsWith("https://"),
  providers: [
    CredentialsProvider({
      name: "Email",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        try {
          const ip = headerOf(req, CLIENT_IP_HEADER);
          const userAgent = headerOf(req, "user-agent");
          const user = await attemptSignIn({
            email: credentials?.email,
            password: credentials?.password,
            ip,
            userAgent,
          });
          const sessionId = await openSession(user.id, { method: "password", ip, userAgent });
          return { ...user, sessionId } satisfies SignedInSession;
        } catch (error) {
          // next-auth passes a thrown message through to the sign-in form.
          if (error instanceof AppError) throw new Error(error.message);
          throw error;
        }
      },
    }),
  ],
  events: {
    // The cookie names a session row: signing out ends that row, so a copy of the cookie taken
    // before sign-out opens nothing afterwards, and the person's other browsers stay signed in.
    async signOut({ token }) {
      if (typeof token?.sid === "string") await endSession(token.sid);
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sid = (user as SignedInSession).sessionId;
      }
      return { sub: token.sub, sid: token.sid, iat: token.iat, exp: token.exp, jti: token.jti };
    },
    session({ session, token }) {
      const user: SessionIdentity = {
        id: token.sub ?? "",
        sessionId: typeof token.sid === "string" ? token.sid : "",
      };
      return { expires: session.expires, user } as typeof session;
    },
  },
};

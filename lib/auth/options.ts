import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { config } from "@/lib/config/env";
import { resolveAuthSecret } from "@/lib/config/auth-secret";
import { AppError } from "@/lib/errors";
import { CLIENT_IP_HEADER } from "@/lib/request-headers";
import { endSessions } from "@/lib/users/sessions";
import { attemptSignIn, type SignedInUser } from "./sign-in";

/** What the session token carries: who, and which password generation it was issued under. */
export type SessionIdentity = { id: string; sessionVersion: number };

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
  session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
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
          return await attemptSignIn({
            email: credentials?.email,
            password: credentials?.password,
            ip: headerOf(req, CLIENT_IP_HEADER),
            userAgent: headerOf(req, "user-agent"),
          });
        } catch (error) {
          // next-auth passes a thrown message through to the sign-in form.
          if (error instanceof AppError) throw new Error(error.message);
          throw error;
        }
      },
    }),
  ],
  events: {
    // A JWT session lives in the browser's cookie: without this, a copy of the cookie taken
    // before sign-out would keep working until it expires. Signing out moves the person's session
    // version on, which ends this session and any other they have open.
    async signOut({ token }) {
      if (token?.sub && typeof token.sv === "number") await endSessions(token.sub, token.sv);
    },
  },
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sv = (user as SignedInUser).sessionVersion;
      }
      return { sub: token.sub, sv: token.sv, iat: token.iat, exp: token.exp, jti: token.jti };
    },
    session({ session, token }) {
      const user: SessionIdentity = { id: token.sub ?? "", sessionVersion: Number(token.sv ?? -1) };
      return { expires: session.expires, user } as typeof session;
    },
  },
};

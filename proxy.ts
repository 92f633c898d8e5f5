import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_PATH_HEADER } from "@/lib/request-headers";
import { createNonce, pageCsp } from "@/lib/security/headers";

/**
 * For every page: a fresh CSP nonce (Next.js reads it from the request's policy and puts it on
 * its scripts), and the path that was asked for, so a sign-in can return to it.
 */
export function proxy(request: NextRequest) {
  const csp = pageCsp(createNonce(), {
    dev: process.env.NODE_ENV === "development",
    https: (process.env.DEPUTY_PUBLIC_URL ?? "").startsWith("https://"),
  });
  const headers = new Headers(request.headers);
  headers.set(REQUEST_PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  return response;
}

export const config = {
  matcher: ["/((?!api/|_next/|favicon.ico|robots.txt).*)"],
};

import { cookies } from "next/headers";
import { requestSource } from "@/lib/request-context";
import { SSO_COOKIE, SsoRefusal, finishSso } from "@/lib/sso/flow";
import { clearLoginStateCookie, sessionCookie } from "@/lib/auth/sso-cookies";
import { ssoRedirectUri } from "@/lib/sso/settings";
import { config } from "@/lib/config/env";
import { logError } from "@/lib/ops/log";

export const dynamic = "force-dynamic";

/** Sign in with SSO, step 2: the provider sends the browser back here with a code. */
export async function GET(request: Request) {
  // The URL the provider was given, with the answer's parameters: what openid-client checks.
  const callback = new URL(ssoRedirectUri());
  callback.search = new URL(request.url).search;
  const loginState = (await cookies()).get(SSO_COOKIE)?.value;
  const headers = new Headers({ "set-cookie": clearLoginStateCookie() });
  try {
    const signedIn = await finishSso(callback, loginState, await requestSource());
    headers.append("set-cookie", await sessionCookie(signedIn.userId, signedIn.sessionId));
    headers.set("location", new URL(signedIn.returnTo, config().publicUrl).href);
  } catch (error) {
    const code = error instanceof SsoRefusal ? error.code : "unavailable";
    if (!(error instanceof SsoRefusal)) {
      logError("Single sign-on could not finish", error);
    }
    headers.set("location", new URL(`/login?sso=1&ssoError=${code}`, config().publicUrl).href);
  }
  return new Response(null, { status: 303, headers });
}

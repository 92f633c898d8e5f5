import { SsoRefusal, startSso } from "@/lib/sso/flow";
import { loginStateCookie } from "@/lib/auth/sso-cookies";
import { config } from "@/lib/config/env";

export const dynamic = "force-dynamic";

const toLogin = (code: string, email = "") =>
  new URL(
    `/login?sso=1&ssoError=${code}${email ? `&email=${encodeURIComponent(email)}` : ""}`,
    config().publicUrl,
  );

/** Sign in with SSO, step 1: the login form posts the email here; off to the org's provider. */
export async function POST(request: Request) {
  const form = await request.formData().catch(() => null);
  const email = form?.get("email");
  const returnTo = form?.get("callbackUrl");
  try {
    const { redirectTo, cookie } = await startSso(email, returnTo);
    return new Response(null, {
      status: 303,
      headers: { location: redirectTo, "set-cookie": loginStateCookie(cookie) },
    });
  } catch (error) {
    const shown = typeof email === "string" ? email.slice(0, 254) : "";
    if (error instanceof SsoRefusal) return Response.redirect(toLogin(error.code, shown), 303);
    console.error("Single sign-on could not start:", error instanceof Error ? error.message : error);
    return Response.redirect(toLogin("unavailable", shown), 303);
  }
}

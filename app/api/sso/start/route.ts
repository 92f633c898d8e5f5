import { SsoRefusal, startSso } from "@/lib/sso/flow";
import { loginStateCookie } from "@/lib/auth/sso-cookies";
import { config } from "@/lib/config/env";
import { logError } from "@/lib/ops/log";

export const dynamic = "force-dynamic";

const toLogin = (code: string, email = "") =>
  new URL(
    `/login?sso=1&ssoError=${code}${email ? `&email=${encodeURIComponent(email)}` : ""}`,
    config().publicUrl,
  );

/**
 * Sign in with SSO, step 1: the login form posts the email here. The console's form asks for
 * JSON and navigates itself (the pages' CSP `form-action 'self'` would block a form's redirect to
 * another origin); a plain form post gets the redirect.
 */
export async function POST(request: Request) {
  const form = await request.formData().catch(() => null);
  const email = form?.get("email");
  const returnTo = form?.get("callbackUrl");
  const wantsJson = (request.headers.get("accept") ?? "").includes("application/json");
  const shown = typeof email === "string" ? email.slice(0, 254) : "";
  let answer: { redirectTo: string; cookie?: string };
  try {
    const { redirectTo, cookie } = await startSso(email, returnTo);
    answer = { redirectTo, cookie };
  } catch (error) {
    if (!(error instanceof SsoRefusal)) {
      logError("Single sign-on could not start", error);
    }
    answer = { redirectTo: toLogin(error instanceof SsoRefusal ? error.code : "unavailable", shown).href };
  }
  const headers = new Headers({ "cache-control": "no-store" });
  if (answer.cookie) headers.set("set-cookie", loginStateCookie(answer.cookie));
  if (wantsJson) {
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify({ redirectTo: answer.redirectTo }), { status: 200, headers });
  }
  headers.set("location", answer.redirectTo);
  return new Response(null, { status: 303, headers });
}

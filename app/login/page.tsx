import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session";
import { safeReturnPath } from "@/lib/auth/return-path";
import { isSetUp } from "@/lib/orgs/setup";
import Link from "next/link";
import { LoginForm } from "@/components/auth/login-form";
import { SsoForm } from "@/components/auth/sso-form";
import { ssoRefusalMessage } from "@/lib/sso/refusals";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; sso?: string; ssoError?: string; email?: string }>;
}) {
  const query = await searchParams;
  const returnTo = safeReturnPath(query.callbackUrl);
  const sso = query.sso === "1";
  if (!(await isSetUp())) redirect("/setup");
  if (await getSessionUser()) redirect(returnTo);
  return (
    <div className="mx-auto max-w-sm py-12">
      <h1 className="text-2xl font-semibold">Sign in to Deputy</h1>
      <p className="mt-1 text-sm text-slate-600">Service accounts for your automation.</p>
      <div className="mt-6 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
        {sso ? (
          <SsoForm
            returnTo={returnTo}
            error={ssoRefusalMessage(query.ssoError)}
            email={typeof query.email === "string" ? query.email.slice(0, 254) : ""}
          />
        ) : (
          <>
            <LoginForm returnTo={returnTo} />
            <div className="mt-4 border-t border-slate-200 pt-4">
              <Link
                href={`/login?sso=1&callbackUrl=${encodeURIComponent(returnTo)}`}
                className="block w-full rounded-md px-3 py-2 text-center text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50"
              >
                Sign in with SSO
              </Link>
            </div>
          </>
        )}
      </div>
    </div>
  );
}

import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session";
import { safeReturnPath } from "@/lib/auth/return-path";
import { isSetUp } from "@/lib/orgs/setup";
import { LoginForm } from "@/components/auth/login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string }>;
}) {
  const returnTo = safeReturnPath((await searchParams).callbackUrl);
  if (!(await isSetUp())) redirect("/setup");
  if (await getSessionUser()) redirect(returnTo);
  return (
    <div className="mx-auto max-w-sm py-12">
      <h1 className="text-2xl font-semibold">Sign in to Deputy</h1>
      <p className="mt-1 text-sm text-slate-600">Service accounts for your automation.</p>
      <div className="mt-6 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <LoginForm returnTo={returnTo} />
      </div>
    </div>
  );
}

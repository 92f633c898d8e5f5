import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { requirePageUser } from "@/lib/auth/session";
import { safeReturnPath } from "@/lib/auth/return-path";

export const metadata: Metadata = { title: "Change password" };
export const dynamic = "force-dynamic";

export default async function ChangePasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string }>;
}) {
  const user = await requirePageUser();
  const returnTo = safeReturnPath((await searchParams).callbackUrl);
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-semibold">Change password</h1>
      <p className="mt-1 text-sm text-slate-600">
        {user.mustChangePassword
          ? "You signed in with a one-time password. Choose your own to continue."
          : "Choose a new password. Your other sessions will be signed out."}
      </p>
      <div className="mt-6 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <ChangePasswordForm returnTo={returnTo} />
      </div>
    </div>
  );
}

import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { isSetUp } from "@/lib/orgs/setup";
import { SetupForm } from "@/components/auth/setup-form";

export const metadata: Metadata = { title: "Set up Deputy" };
export const dynamic = "force-dynamic";

/** Open only on an empty database: it creates the first organization and its first admin. */
export default async function SetupPage() {
  if (await isSetUp()) redirect("/login");
  return (
    <div className="mx-auto max-w-md py-12">
      <h1 className="text-2xl font-semibold">Set up Deputy</h1>
      <p className="mt-1 text-sm text-slate-600">
        Create your organization and its first admin. This page closes once it is done.
      </p>
      <div className="mt-6 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <SetupForm />
      </div>
    </div>
  );
}

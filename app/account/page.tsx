import type { Metadata } from "next";
import Link from "next/link";
import { SessionsPanel } from "@/components/account/sessions-panel";
import { pageCaller } from "@/lib/auth/session";
import { listOwnSessions } from "@/lib/users/sessions";

export const metadata: Metadata = { title: "Your account" };
export const dynamic = "force-dynamic";

/** The signed-in person's own page: who they are, their password, their sessions (rule 36). */
export default async function AccountPage() {
  const caller = await pageCaller();
  const sessions = await listOwnSessions(caller);
  return (
    <div className="mx-auto max-w-4xl space-y-8 py-8">
      <div>
        <h1 className="text-2xl font-semibold">Your account</h1>
        <p className="mt-1 text-sm text-slate-600">
          {caller.user.name} · {caller.user.email}
        </p>
        <p className="mt-3 text-sm">
          <Link href="/account/password" className="text-indigo-700 underline hover:text-indigo-900">
            Change password
          </Link>
        </p>
      </div>
      <SessionsPanel
        sessions={sessions.map((s) => ({
          ...s,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
        }))}
      />
    </div>
  );
}

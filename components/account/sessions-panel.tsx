"use client";

import { useState } from "react";
import { signOut } from "next-auth/react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { signOutEverywhereAction } from "@/lib/users/actions";
import { Time } from "@/components/ui/time";

type Session = {
  id: string;
  method: "password" | "sso";
  userAgent: string | null;
  ip: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
};

/** One's own sessions, with Sign out everywhere (which ends this one too, so it leaves for /login). */
export function SessionsPanel({ sessions }: { sessions: Session[] }) {
  const [confirming, setConfirming] = useState(false);
  const everywhere = useActionMutation(() => signOutEverywhereAction(), {
    refresh: false,
    // This browser's session is ended on the server already; clear its cookie and leave.
    onSuccess: () => void signOut({ callbackUrl: "/login" }),
  });
  return (
    <section aria-labelledby="sessions-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="sessions-heading" className="text-lg font-semibold">
            Sessions
          </h2>
          <p className="text-sm text-slate-600">
            Every browser signed in as you. Signing out ends only this one.
          </p>
        </div>
        <Button
          variant="secondary"
          onClick={() => {
            everywhere.reset();
            setConfirming(true);
          }}
        >
          Sign out everywhere
        </Button>
      </div>
      <Table caption="Your sessions" head={["Browser", "Address", "Signed in", "Last seen", "How"]}>
        {sessions.length === 0 && <EmptyRow colSpan={5}>No sessions.</EmptyRow>}
        {sessions.map((s) => (
          <tr key={s.id} data-testid="session-row">
            <Td>
              <span className="break-all">{s.userAgent ?? "Unknown browser"}</span>
              {s.current && (
                <span className="ml-2 rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-emerald-200">
                  This session
                </span>
              )}
            </Td>
            <Td>{s.ip ?? "Unknown"}</Td>
            <Td className="whitespace-nowrap px-4 py-2 text-slate-700">
              <Time value={s.createdAt} />
            </Td>
            <Td className="whitespace-nowrap px-4 py-2 text-slate-700">
              <Time value={s.lastSeenAt} relative />
            </Td>
            <Td>{s.method === "sso" ? "Single sign-on" : "Password"}</Td>
          </tr>
        ))}
      </Table>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Sign out everywhere"
        description="Every browser signed in as you is signed out, this one included."
        confirmLabel="Sign out everywhere"
        pending={everywhere.isPending}
        error={everywhere.error?.message}
        onConfirm={() => everywhere.mutate()}
      />
    </section>
  );
}

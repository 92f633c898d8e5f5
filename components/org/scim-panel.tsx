"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogClose, DialogContent } from "@/components/ui/dialog";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { generateScimTokenAction, revokeScimTokenAction } from "@/lib/scim/actions";
import { formatTimestamp } from "@/lib/format/time";

type Status = { hint: string; createdAt: string; lastUsedAt: string | null } | null;

/** Org Dashboard → Settings → SCIM provisioning (rule 35): the token once, and Revoke. */
export function ScimPanel({
  orgSlug,
  status,
  baseUrl,
}: {
  orgSlug: string;
  status: Status;
  baseUrl: string;
}) {
  const [revoking, setRevoking] = useState(false);
  const generate = useActionMutation(() => generateScimTokenAction(orgSlug), { holdsSecret: true });
  const revoke = useActionMutation(() => revokeScimTokenAction(orgSlug), {
    onSuccess: () => setRevoking(false),
  });
  const revealed = generate.data;
  return (
    <section
      aria-labelledby="scim-heading"
      className="space-y-4 rounded-lg bg-white p-4 ring-1 ring-slate-200"
    >
      <div>
        <h3 id="scim-heading" className="text-base font-semibold">
          SCIM provisioning
        </h3>
        <p className="text-sm text-slate-600">
          Let your identity provider add and remove people and keep teams in step (SCIM 2.0). Deactivating
          someone there removes them here, frees their seat and ends their sessions.
        </p>
      </div>
      {generate.error && <Alert>{generate.error.message}</Alert>}
      <p className="text-sm" data-testid="scim-status">
        {status
          ? `A token is in use (${status.hint}), generated ${formatTimestamp(status.createdAt)}${status.lastUsedAt ? `, last used ${formatTimestamp(status.lastUsedAt)}` : ", not used yet"}.`
          : "No SCIM token: provisioning is off."}
      </p>
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => generate.mutate(undefined)} disabled={generate.isPending}>
          Generate SCIM token
        </Button>
        {status && (
          <Button variant="secondary" onClick={() => setRevoking(true)}>
            Revoke
          </Button>
        )}
      </div>
      <Dialog open={Boolean(revealed)} onOpenChange={(open) => !open && generate.reset()}>
        <DialogContent
          title="Copy your SCIM token"
          description="Enter it with the base URL in your identity provider's provisioning settings. You won't see it again; generating another replaces it."
        >
          <div className="space-y-3">
            <label htmlFor="scim-base-url" className="block text-sm font-medium">
              SCIM base URL
            </label>
            <input
              id="scim-base-url"
              readOnly
              value={revealed?.baseUrl ?? ""}
              className="block w-full rounded-md bg-slate-50 px-3 py-2 font-mono text-sm ring-1 ring-slate-300"
            />
            <label htmlFor="scim-token" className="block text-sm font-medium">
              SCIM token
            </label>
            <input
              id="scim-token"
              readOnly
              value={revealed?.token ?? ""}
              className="block w-full rounded-md bg-slate-50 px-3 py-2 font-mono text-sm ring-1 ring-slate-300"
              onFocus={(e) => e.currentTarget.select()}
            />
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </div>
          </div>
        </DialogContent>
      </Dialog>
      <ConfirmDialog
        open={revoking}
        onOpenChange={setRevoking}
        title="Revoke SCIM token"
        description={`Provisioning stops until you generate a new token. Base URL: ${baseUrl}`}
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.error?.message}
        onConfirm={() => revoke.mutate(undefined)}
      />
    </section>
  );
}

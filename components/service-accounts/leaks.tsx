"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { TextAreaField } from "@/components/ui/field";
import { formValues } from "@/components/ui/form-values";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { acknowledgeLeaksAction, reportLeakedKeysAction } from "@/lib/keys/actions";
import { Time } from "@/components/ui/time";

const STATUS_TEXT = {
  revoked: "Revoked now and marked leaked",
  already_revoked: "Already revoked: nothing changed",
  unknown: "Not a key of this organization: nothing changed",
};

/** Org Dashboard → Service Accounts → "Report leaked keys" (rule 22). */
export function ReportLeakedKeysDialog({ orgSlug }: { orgSlug: string }) {
  const [open, setOpen] = useState(false);
  const report = useActionMutation((text: string) => reportLeakedKeysAction(orgSlug, text), {
    // The pasted keys leave react-query's cache with the dialog.
    holdsSecret: true,
  });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    report.mutate(formValues(event.currentTarget).keys ?? "");
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) report.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary">Report leaked keys</Button>
      </DialogTrigger>
      <DialogContent
        title="Report leaked keys"
        description="Paste API keys (dpt_…) or access tokens (dpa_…) found where they should not be (a commit, a CI log, a ticket). Each one of this organization is revoked at once; keys are marked leaked."
      >
        {report.data ? (
          <div className="space-y-3">
            <ul className="space-y-1 text-sm" aria-label="Results">
              {report.data.map((r) => (
                <li key={r.tokenHash}>
                  <code className="text-xs">…{r.last4}</code>: {STATUS_TEXT[r.status]}
                </li>
              ))}
            </ul>
            <div className="flex justify-end">
              <Button onClick={() => setOpen(false)}>Done</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            {report.error && !report.error.fieldErrors.keys && <Alert>{report.error.message}</Alert>}
            <TextAreaField
              label="Leaked keys"
              name="keys"
              rows={4}
              autoComplete="off"
              spellCheck={false}
              hint="One or more keys, separated by spaces or new lines."
              error={report.error?.fieldErrors.keys}
            />
            <div className="flex justify-end">
              <Button type="submit" variant="danger" disabled={report.isPending}>
                Revoke leaked keys
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

/** The account page's banner while a leaked key is unacknowledged. */
export function LeakBanner({
  accountId,
  leaks,
  canManage,
}: {
  accountId: string;
  leaks: { name: string; masked: string; leakedAt: Date; foundAt: string | null }[];
  canManage: boolean;
}) {
  const acknowledge = useActionMutation(() => acknowledgeLeaksAction(accountId));
  if (leaks.length === 0) return null;
  return (
    <div role="alert" className="space-y-2 rounded-md bg-red-50 p-3 text-sm text-red-900 ring-1 ring-red-200">
      <p className="font-medium">
        {leaks.length === 1
          ? "A key of this account was reported as leaked."
          : `${leaks.length} keys of this account were reported as leaked.`}{" "}
        {leaks.length === 1 ? "It was" : "They were"} revoked at once.
      </p>
      <ul className="list-disc pl-5">
        {leaks.map((l) => (
          <li key={l.masked}>
            {l.name} (<code>{l.masked}</code>), <Time value={l.leakedAt} />
            {l.foundAt ? ` — ${l.foundAt}` : ""}
          </li>
        ))}
      </ul>
      <p>Check what used it, and create a new key for its jobs.</p>
      {canManage && (
        <Button
          variant="secondary"
          size="sm"
          onClick={() => acknowledge.mutate(undefined)}
          disabled={acknowledge.isPending}
        >
          Acknowledge
        </Button>
      )}
    </div>
  );
}

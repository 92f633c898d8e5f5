"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { formValues } from "@/components/ui/form-values";
import { serviceAccountKeys, useCreateApiKey } from "./hooks";
import { KeyRestrictionFields } from "./key-restriction-fields";

// Fields shown beside their own input; any other problem is shown at the top.
const FIELDS = ["name", "expiresIn", "permission", "projects", "allowedIps"];

const EXPIRY_OPTIONS = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "365 days" },
  { value: "never", label: "Never" },
];

/**
 * Closing a dialog that may be showing a new key: while the key is shown, closing asks first;
 * once closed, the mutation holding the key is reset and the key lists refresh.
 */
export function useRevealClose(revealed: boolean, reset: () => void, onClosed: () => void) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [confirmingClose, setConfirmingClose] = useState(false);
  function close() {
    setConfirmingClose(false);
    reset();
    onClosed();
    void queryClient.invalidateQueries({ queryKey: serviceAccountKeys.all });
    router.refresh();
  }
  return {
    confirmingClose,
    keepOpen: () => setConfirmingClose(false),
    close,
    requestClose: () => (revealed ? setConfirmingClose(true) : close()),
  };
}

/**
 * "Create API key", then the copy-once reveal. While the key is shown, closing asks first; once
 * closed, the mutation is reset and the key exists nowhere in the browser.
 */
export function CreateApiKeyDialog({
  accountId,
  accountName,
  open,
  onOpenChange,
  maxLifetimeDays,
}: {
  accountId: string;
  accountName: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  maxLifetimeDays?: number | null;
}) {
  const create = useCreateApiKey(accountId);
  const revealed = create.data?.secret;
  const { confirmingClose, keepOpen, close, requestClose } = useRevealClose(
    Boolean(revealed),
    create.reset,
    () => onOpenChange(false),
  );
  const expiryOptions = maxLifetimeDays
    ? EXPIRY_OPTIONS.filter((o) => o.value !== "never" && Number(o.value) <= maxLifetimeDays)
    : EXPIRY_OPTIONS;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    // Several projects may be picked: the one field formValues would keep only the last of.
    create.mutate({ ...formValues(form), projects: new FormData(form).getAll("projects").map(String) });
  }

  return (
    <Dialog open={open} onOpenChange={(next) => (next ? onOpenChange(true) : requestClose())}>
      <DialogContent
        title={revealed ? "Copy your API key" : "Create API key"}
        description={revealed ? undefined : `A new key for ${accountName}.`}
      >
        {revealed ? (
          <KeyReveal
            secret={revealed}
            confirmingClose={confirmingClose}
            onKeepOpen={keepOpen}
            onClose={close}
          />
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            {create.error && !FIELDS.some((field) => create.error?.fieldErrors[field]) && (
              <Alert>{create.error.message}</Alert>
            )}
            <TextField
              label="API key name"
              name="name"
              required
              placeholder="github-actions"
              hint="Where the key will live, so you know which one to revoke."
              error={create.error?.fieldErrors.name}
            />
            <SelectField
              label="Expires"
              name="expiresIn"
              defaultValue={expiryOptions.some((o) => o.value === "90") ? "90" : expiryOptions[0]?.value}
              options={expiryOptions}
              error={create.error?.fieldErrors.expiresIn}
            />
            <KeyRestrictionFields accountId={accountId} errors={create.error?.fieldErrors ?? {}} />
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" disabled={create.isPending}>
                Create
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

/** The copy-once reveal, shared by Create API key and Rotate. */
export function KeyReveal({
  secret,
  confirmingClose,
  onKeepOpen,
  onClose,
}: {
  secret: string;
  confirmingClose: boolean;
  onKeepOpen: () => void;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <div className="space-y-4">
      <p className="rounded-md bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900 ring-1 ring-amber-200">
        You won&apos;t be able to see this key again
      </p>
      <div className="space-y-1">
        <label htmlFor="api-key-value" className="block text-sm font-medium">
          API key
        </label>
        <div className="flex gap-2">
          <input
            id="api-key-value"
            readOnly
            value={secret}
            autoComplete="off"
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
            className="block w-full rounded-md bg-slate-50 px-3 py-2 font-mono text-xs ring-1 ring-slate-300"
          />
          <Button variant="secondary" className="shrink-0 whitespace-nowrap" onClick={() => void copy()}>
            Copy API key
          </Button>
        </div>
        <p aria-live="polite" className="h-4 text-xs font-medium text-emerald-700">
          {copied ? "Copied" : ""}
        </p>
      </div>
      <div className="space-y-1">
        <p id="use-it-in-your-job" className="text-sm font-medium">
          Use it in your job
        </p>
        {/* Focusable so keyboard users can scroll a line wider than the dialog. */}
        <pre
          tabIndex={0}
          aria-labelledby="use-it-in-your-job"
          className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 text-xs text-slate-100 focus:ring-2 focus:ring-indigo-500 focus:outline-none"
        >
          <code>export DEPUTY_API_KEY={secret}</code>
        </pre>
      </div>
      {confirmingClose ? (
        <div
          role="alertdialog"
          aria-label="Close without copying?"
          className="space-y-3 rounded-md bg-red-50 p-3 ring-1 ring-red-200"
        >
          <p className="text-sm text-red-900">You won&apos;t be able to see this key again — close anyway?</p>
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onKeepOpen}>
              Keep open
            </Button>
            <Button variant="danger" onClick={onClose}>
              Close anyway
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex justify-end">
          <Button onClick={onClose}>Done</Button>
        </div>
      )}
    </div>
  );
}

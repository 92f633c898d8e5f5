"use client";

import type { FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { formValues } from "@/components/ui/form-values";
import { KeyRestrictionFields } from "./key-restriction-fields";
import { useKeyRestrictionSuggestion, useRestrictApiKey } from "./hooks";

const FIELDS = ["permission", "projects", "allowedIps"] as const;

const NARROWED_WORDS = {
  permission: "its permission",
  projects: "its projects",
  allowedIps: "its IP ranges",
};

/**
 * "Restrict" (rule 27): says what the key did in the last 30 days, pre-fills the restriction
 * fields with the narrowest ones that would still have allowed all of it, and applies them in one
 * step (the fields stay editable).
 */
export function RestrictKeyDialog({
  accountId,
  apiKey,
  onClose,
}: {
  accountId: string;
  apiKey: { id: string; name: string; masked: string };
  onClose: () => void;
}) {
  const suggestion = useKeyRestrictionSuggestion(accountId, apiKey.id);
  const restrict = useRestrictApiKey(accountId, onClose);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    restrict.mutate({
      apiKeyId: apiKey.id,
      // Several projects may be picked: the one field formValues would keep only the last of.
      form: { ...formValues(form), projects: new FormData(form).getAll("projects").map(String) },
    });
  }

  const data = suggestion.data;
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title={`Restrict ${apiKey.name}`}
        description={`Narrow what ${apiKey.masked} may do to what it actually did.`}
      >
        {suggestion.isPending ? (
          <p className="text-sm text-slate-600" role="status">
            Reading the key&apos;s use…
          </p>
        ) : suggestion.error ? (
          <Alert>{suggestion.error.message}</Alert>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            <p className="text-sm text-slate-800" data-testid="key-use">
              {data!.description}
            </p>
            <p className="text-sm text-slate-600">
              {data!.narrows.length > 0
                ? `Suggested: narrow ${data!.narrows.map((f) => NARROWED_WORDS[f]).join(" and ")} — every request of the last 30 days would still have been allowed.`
                : "This key is already as narrow as its use. You can still change its restrictions here."}
            </p>
            {restrict.error && !FIELDS.some((field) => restrict.error?.fieldErrors[field]) && (
              <Alert>{restrict.error.message}</Alert>
            )}
            <KeyRestrictionFields
              accountId={accountId}
              errors={restrict.error?.fieldErrors ?? {}}
              initial={data!.suggestedInput}
            />
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" disabled={restrict.isPending}>
                Apply restrictions
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

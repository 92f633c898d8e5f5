"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { GRACE_CHOICES } from "@/lib/keys/schemas";
import { KeyReveal, useRevealClose } from "./create-api-key-dialog";
import { useRotateApiKey } from "./hooks";

/**
 * "Rotate" (rule 21): choose how long the old key keeps working, then the new key is shown once
 * in the same reveal as Create API key.
 */
export function RotateKeyDialog({
  accountId,
  apiKey,
  onClose,
}: {
  accountId: string;
  apiKey: { id: string; name: string; masked: string };
  onClose: () => void;
}) {
  const rotate = useRotateApiKey(accountId);
  const [graceHours, setGraceHours] = useState(24);
  const revealed = rotate.data?.key.secret;
  const { confirmingClose, keepOpen, close, requestClose } = useRevealClose(
    Boolean(revealed),
    rotate.reset,
    onClose,
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rotate.mutate({ apiKeyId: apiKey.id, graceHours });
  }

  return (
    <Dialog open onOpenChange={(open) => !open && requestClose()}>
      <DialogContent
        title={revealed ? "Copy your API key" : `Rotate ${apiKey.name}`}
        description={
          revealed
            ? undefined
            : `A new key replaces ${apiKey.masked}. Choose how long the old key keeps working while your jobs switch.`
        }
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
            {rotate.error && <Alert>{rotate.error.message}</Alert>}
            <fieldset className="space-y-2" role="radiogroup" aria-label="Old key keeps working">
              <legend className="text-sm font-medium text-slate-800">Old key keeps working</legend>
              {GRACE_CHOICES.map((choice) => (
                <label key={choice.hours} className="flex items-center gap-2 text-sm">
                  <input
                    type="radio"
                    name="graceHours"
                    value={choice.hours}
                    checked={graceHours === choice.hours}
                    onChange={() => setGraceHours(choice.hours)}
                  />
                  {choice.label}
                </label>
              ))}
            </fieldset>
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" disabled={rotate.isPending}>
                Rotate
              </Button>
            </div>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { formValues } from "@/components/ui/form-values";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { createWebhookAction } from "@/lib/webhooks/actions";
import { WEBHOOK_EVENT_TYPES } from "@/lib/webhooks/events";

export type WebhookRow = {
  id: string;
  url: string;
  description: string;
  events: string[] | null;
  status: "active" | "disabled";
  disabledReason: string | null;
  failingSince: string | null;
};

/** Org Dashboard → Webhooks (rule 28): the org's endpoints and Add endpoint. */
export function WebhooksPanel({ orgSlug, webhooks }: { orgSlug: string; webhooks: WebhookRow[] }) {
  return (
    <section aria-labelledby="webhooks-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h2 id="webhooks-heading" className="text-lg font-semibold">
            Webhooks
          </h2>
          <p className="text-sm text-slate-600">
            Deputy sends every audit event and notice you choose to your endpoints, signed per the Standard
            Webhooks specification, retried for about a day when they fail.
          </p>
        </div>
        <AddEndpointDialog orgSlug={orgSlug} />
      </div>
      <Table caption="Webhook endpoints" head={["Endpoint", "Events", "Status"]}>
        {webhooks.length === 0 && (
          <EmptyRow colSpan={3}>No endpoints yet. Add one to stream events to your SIEM or chat.</EmptyRow>
        )}
        {webhooks.map((w) => (
          <tr key={w.id}>
            <Td>
              <Link
                href={`/org/${orgSlug}/webhooks/${w.id}`}
                className="font-medium break-all text-indigo-700 hover:underline"
              >
                {w.url}
              </Link>
              {w.description && <div className="text-xs text-slate-600">{w.description}</div>}
            </Td>
            <Td>
              {w.events ? `${w.events.length} event type${w.events.length === 1 ? "" : "s"}` : "All events"}
            </Td>
            <Td>
              {w.status === "active" ? (w.failingSince ? "Active — failing" : "Active") : "Disabled"}
              {w.disabledReason && <div className="text-xs text-slate-600">{w.disabledReason}</div>}
            </Td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

function AddEndpointDialog({ orgSlug }: { orgSlug: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [mode, setMode] = useState<"all" | "some">("all");
  const [filter, setFilter] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  const add = useActionMutation((input: Record<string, unknown>) => createWebhookAction(orgSlug, input), {
    refresh: false,
    holdsSecret: true,
  });
  const secret = add.data?.secret;
  const errors = add.error?.fieldErrors ?? {};
  const shown = WEBHOOK_EVENT_TYPES.filter((t) => t.includes(filter.trim().toLowerCase()));

  function close() {
    setOpen(false);
    add.reset();
    setMode("all");
    setPicked([]);
    router.refresh();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = formValues(event.currentTarget);
    add.mutate({ url: values.url, description: values.description, eventsMode: mode, events: picked });
  }

  return (
    <Dialog open={open} onOpenChange={(next) => (next ? setOpen(true) : close())}>
      <DialogTrigger asChild>
        <Button>Add endpoint</Button>
      </DialogTrigger>
      <DialogContent
        title={secret ? "Copy your signing secret" : "Add endpoint"}
        description={
          secret
            ? undefined
            : "Deliveries are POSTed as JSON and signed with a secret shown once. Receivers verify them with any Standard Webhooks library."
        }
      >
        {secret ? (
          <SecretReveal secret={secret} onDone={close} />
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            {add.error && !errors.url && !errors.events && <Alert>{add.error.message}</Alert>}
            <TextField
              label="URL"
              name="url"
              required
              placeholder="https://hooks.example.com/deputy"
              hint="https, on a public address."
              error={errors.url}
            />
            <TextField label="Description" name="description" placeholder="SIEM" error={errors.description} />
            <fieldset className="space-y-2">
              <legend className="text-sm font-medium text-slate-900">Events</legend>
              {(
                [
                  ["all", "All events"],
                  ["some", "Only these events"],
                ] as const
              ).map(([value, label]) => (
                <label key={value} className="flex items-center gap-2 text-sm">
                  <input
                    type="radio"
                    name="eventsMode"
                    value={value}
                    checked={mode === value}
                    onChange={() => setMode(value)}
                  />
                  {label}
                </label>
              ))}
              {mode === "some" && (
                <div className="space-y-2 rounded-md p-3 ring-1 ring-slate-200">
                  <label htmlFor="event-filter" className="block text-sm font-medium">
                    Find an event type
                  </label>
                  <input
                    id="event-filter"
                    type="search"
                    value={filter}
                    onChange={(e) => setFilter(e.target.value)}
                    placeholder="api_key"
                    className="block w-full rounded-md px-3 py-2 text-sm ring-1 ring-slate-300"
                  />
                  <ul aria-label="Event types" className="max-h-40 space-y-1 overflow-y-auto">
                    {shown.length === 0 && <li className="text-sm text-slate-600">No event type matches.</li>}
                    {shown.map((type) => (
                      <li key={type}>
                        <label className="flex items-center gap-2 font-mono text-xs">
                          <input
                            type="checkbox"
                            checked={picked.includes(type)}
                            onChange={(e) =>
                              setPicked((now) =>
                                e.target.checked ? [...now, type] : now.filter((t) => t !== type),
                              )
                            }
                          />
                          {type}
                        </label>
                      </li>
                    ))}
                  </ul>
                  <p className="text-xs text-slate-600" aria-live="polite">
                    {picked.length === 1 ? "1 event type chosen" : `${picked.length} event types chosen`}
                  </p>
                </div>
              )}
              {errors.events && <p className="text-sm text-red-700">{errors.events}</p>}
            </fieldset>
            <DialogFormActions submitLabel="Add" disabled={add.isPending} />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

function SecretReveal({ secret, onDone }: { secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-4">
      <p className="rounded-md bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900 ring-1 ring-amber-200">
        You won&apos;t be able to see this secret again
      </p>
      <div className="space-y-1">
        <label htmlFor="signing-secret" className="block text-sm font-medium">
          Signing secret
        </label>
        <div className="flex gap-2">
          <input
            id="signing-secret"
            readOnly
            value={secret}
            autoComplete="off"
            spellCheck={false}
            onFocus={(e) => e.currentTarget.select()}
            className="block w-full rounded-md bg-slate-50 px-3 py-2 font-mono text-xs ring-1 ring-slate-300"
          />
          <Button
            variant="secondary"
            className="shrink-0 whitespace-nowrap"
            onClick={() =>
              void navigator.clipboard.writeText(secret).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            Copy signing secret
          </Button>
        </div>
        <p aria-live="polite" className="h-4 text-xs font-medium text-emerald-700">
          {copied ? "Copied" : ""}
        </p>
      </div>
      <div className="flex justify-end">
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}

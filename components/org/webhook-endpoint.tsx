"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import {
  deleteWebhookAction,
  resendDeliveryAction,
  sendTestEventAction,
  setWebhookStatusAction,
} from "@/lib/webhooks/actions";
import type { WebhookRow } from "./webhooks-panel";
import { Time } from "@/components/ui/time";

type DeliveryRow = {
  id: string;
  type: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastResponseStatus: number | null;
  createdAt: string;
};

const STATUS_WORDS = { pending: "Pending", delivered: "Delivered", failed: "Failed" };

/** One endpoint's page: its deliveries with Resend, Send test event, Disable/Enable, Delete. */
export function WebhookEndpoint({
  orgSlug,
  webhook,
  deliveries,
}: {
  orgSlug: string;
  webhook: WebhookRow;
  deliveries: DeliveryRow[];
}) {
  const router = useRouter();
  const [deleting, setDeleting] = useState(false);
  const test = useActionMutation(() => sendTestEventAction(orgSlug, webhook.id));
  const status = useActionMutation((next: "active" | "disabled") =>
    setWebhookStatusAction(orgSlug, webhook.id, next),
  );
  const resend = useActionMutation((deliveryId: string) =>
    resendDeliveryAction(orgSlug, webhook.id, deliveryId),
  );
  const remove = useActionMutation(() => deleteWebhookAction(orgSlug, webhook.id), {
    refresh: false,
    onSuccess: () => router.push(`/org/${orgSlug}/webhooks`),
  });
  const error = test.error ?? status.error ?? resend.error;
  return (
    <section aria-labelledby="endpoint-heading" className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 id="endpoint-heading" className="text-lg font-semibold break-all">
            {webhook.url}
          </h2>
          <p className="text-sm text-slate-600">
            {webhook.description ? `${webhook.description} · ` : ""}
            {webhook.events ? webhook.events.join(", ") : "All events"} ·{" "}
            {webhook.status === "active"
              ? "Active"
              : `Disabled${webhook.disabledReason ? ` — ${webhook.disabledReason}` : ""}`}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button
            variant="secondary"
            disabled={test.isPending || webhook.status !== "active"}
            onClick={() => test.mutate(undefined)}
          >
            Send test event
          </Button>
          <Button
            variant="secondary"
            disabled={status.isPending}
            onClick={() => status.mutate(webhook.status === "active" ? "disabled" : "active")}
          >
            {webhook.status === "active" ? "Disable" : "Enable"}
          </Button>
          <Button variant="secondary" onClick={() => setDeleting(true)}>
            Delete
          </Button>
        </div>
      </div>
      {error && <Alert>{error.message}</Alert>}
      <p role="status" className="text-sm text-slate-700">
        {test.data ? `Test event ${test.data.id} queued: it appears below once sent.` : ""}
      </p>
      <Table caption="Deliveries" head={["Event type", "Time", "Status", "Attempts", "Response", ""]}>
        {deliveries.length === 0 && <EmptyRow colSpan={6}>No deliveries yet.</EmptyRow>}
        {deliveries.map((d) => (
          <tr key={d.id}>
            <Td>
              <code className="text-xs">{d.type}</code>
            </Td>
            <Td>
              <Time value={d.createdAt} />
            </Td>
            <Td>{STATUS_WORDS[d.status]}</Td>
            <Td>{d.attempts}</Td>
            <Td>{d.lastResponseStatus ?? "—"}</Td>
            <Td className="px-4 py-2 text-right">
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Resend ${d.type} ${d.id}`}
                disabled={resend.isPending}
                onClick={() => resend.mutate(d.id)}
              >
                Resend
              </Button>
            </Td>
          </tr>
        ))}
      </Table>
      <ConfirmDialog
        open={deleting}
        onOpenChange={(open) => !open && setDeleting(false)}
        title="Delete endpoint"
        description={`Stop sending to ${webhook.url} and delete its delivery log? This can't be undone.`}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error?.message}
        onConfirm={() => remove.mutate(undefined)}
      />
    </section>
  );
}

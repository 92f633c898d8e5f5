"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { setServiceAccountStatusAction } from "@/lib/service-accounts/actions";
import type { AttentionList as AttentionData } from "@/lib/service-accounts/attention";
import { relativeTime, timeUntil } from "@/lib/format/time";
import { expiresSoonDays } from "./labels";
import { RestrictKeyDialog } from "./restrict-key-dialog";
import { RotateKeyDialog } from "./rotate-key-dialog";

type KeyItem = AttentionData["expiring"][number];
type BroaderItem = AttentionData["broader"][number];

const NARROWED = { permission: "permission", projects: "projects", allowedIps: "IP ranges" };

/** Org Dashboard → Service Accounts: what needs an admin this week, each with a one-click action. */
export function AttentionList({ data }: { data: AttentionData }) {
  const [rotating, setRotating] = useState<KeyItem | null>(null);
  const [restricting, setRestricting] = useState<BroaderItem | null>(null);
  const disable = useActionMutation((accountId: string) =>
    setServiceAccountStatusAction(accountId, { status: "DISABLED" }),
  );
  const total =
    data.expiring.length +
    data.rotating.length +
    data.leaked.length +
    data.unused.length +
    data.broader.length +
    data.ownerLeft.length +
    data.failingWebhooks.length;
  if (total === 0) return null;
  const account = (a: { name: string; href: string }) => (
    <Link href={a.href} className="font-medium text-indigo-700 hover:underline">
      {a.name}
    </Link>
  );
  return (
    <section
      aria-labelledby="attention-heading"
      className="space-y-3 rounded-lg bg-amber-50/60 p-4 ring-1 ring-amber-200"
    >
      <h3 id="attention-heading" className="text-base font-semibold">
        Attention
      </h3>
      {disable.error && <p className="text-sm text-red-700">{disable.error.message}</p>}
      <ul className="space-y-2 text-sm" aria-label="Needs attention">
        {data.leaked.map((k) => (
          <li key={`leaked-${k.keyId}`} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              {account(k.account)}: key {k.keyName} (<code>{k.masked}</code>) was reported as leaked and
              revoked
              {k.foundAt ? ` — ${k.foundAt}` : ""}.
            </span>
            <Link href={k.account.href} className="text-indigo-700 hover:underline">
              Review
            </Link>
          </li>
        ))}
        {data.expiring.map((k) => {
          const days = expiresSoonDays(k.expiresAt) ?? 1;
          return (
            <li key={`expiring-${k.keyId}`} className="flex flex-wrap items-center justify-between gap-2">
              <span>
                {account(k.account)}: key {k.keyName} (<code>{k.masked}</code>) — Expires in {days} day
                {days === 1 ? "" : "s"}.
              </span>
              <Button
                size="sm"
                variant="secondary"
                aria-label={`Rotate ${k.keyName} of ${k.account.name}`}
                onClick={() => setRotating(k)}
              >
                Rotate
              </Button>
            </li>
          );
        })}
        {data.rotating.map((k) => (
          <li key={`rotating-${k.keyId}`} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              {account(k.account)}: key {k.keyName} (<code>{k.masked}</code>) was replaced — stops working in{" "}
              {timeUntil(k.expiresAt!)}; last used {relativeTime(k.lastUsedAt).toLowerCase()}.
            </span>
            <Link href={k.account.href} className="text-indigo-700 hover:underline">
              View keys
            </Link>
          </li>
        ))}
        {data.unused.map((a) => (
          <li key={`unused-${a.id}`} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              {account(a)}: unused for 90 days (last used {relativeTime(a.lastUsedAt).toLowerCase()}).
            </span>
            <Button
              size="sm"
              variant="secondary"
              aria-label={`Disable ${a.name}`}
              disabled={disable.isPending}
              onClick={() => disable.mutate(a.id)}
            >
              Disable
            </Button>
          </li>
        ))}
        {data.ownerLeft.map((a) => (
          <li key={`owner-left-${a.id}`} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              {account(a)}: Owner left — {a.owner} is no longer a member of the organization.
            </span>
            <Link href={a.href} className="text-indigo-700 hover:underline">
              Choose an owner
            </Link>
          </li>
        ))}
        {data.failingWebhooks.map((h) => (
          <li key={`webhook-${h.id}`} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              Webhook <code className="break-all">{h.url}</code> was disabled: every delivery failed for 24
              hours.
            </span>
            <Link href={h.href} className="text-indigo-700 hover:underline">
              Review
            </Link>
          </li>
        ))}
        {data.broader.map((k) => (
          <li key={`broader-${k.keyId}`} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              {account(k.account)}: key {k.keyName} (<code>{k.masked}</code>) — Broader than its use: its{" "}
              {k.narrows.map((f) => NARROWED[f]).join(" and ")} could be narrowed without refusing anything it
              did in the last 30 days.
            </span>
            <Button
              size="sm"
              variant="secondary"
              aria-label={`Restrict ${k.keyName} of ${k.account.name}`}
              onClick={() => setRestricting(k)}
            >
              Restrict
            </Button>
          </li>
        ))}
      </ul>
      {data.moreUnused && (
        <p className="text-xs text-slate-600">
          More accounts are unused: filter the list below by &quot;Unused for 90 days&quot;.
        </p>
      )}
      {restricting && (
        <RestrictKeyDialog
          accountId={restricting.account.id}
          apiKey={{ id: restricting.keyId, name: restricting.keyName, masked: restricting.masked }}
          onClose={() => setRestricting(null)}
        />
      )}
      {rotating && (
        <RotateKeyDialog
          accountId={rotating.account.id}
          apiKey={{ id: rotating.keyId, name: rotating.keyName, masked: rotating.masked }}
          onClose={() => setRotating(null)}
        />
      )}
    </section>
  );
}

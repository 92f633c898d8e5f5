"use client";

import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Button } from "@/components/ui/button";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import type { KeyStatus } from "@/lib/keys/state";
import { useRevokeApiKey } from "./hooks";
import { timeUntil } from "@/lib/format/time";
import { expiresSoonDays } from "./labels";
import { RestrictKeyDialog } from "./restrict-key-dialog";
import { RotateKeyDialog } from "./rotate-key-dialog";
import { Time } from "@/components/ui/time";

type KeyRow = {
  id: string;
  name: string;
  masked: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  status: KeyStatus;
  /** Rotated: a newer key replaced this one, which works until expiresAt (the grace period). */
  replaced: boolean;
  /** Its restrictions in words (rule 24). */
  restrictions: string;
  projects: string[] | null;
};

const STATUS_TEXT: Record<KeyStatus, string> = {
  active: "Active",
  expired: "Expired",
  revoked: "Revoked",
  leaked: "Leaked — revoked",
};

/** What a key's status cell says: replaced keys count down, keys near expiry warn. */
function statusText(k: KeyRow): string {
  if (k.status === "active" && k.replaced && k.expiresAt)
    return `Replaced — stops working in ${timeUntil(k.expiresAt)}`;
  const soon = k.status === "active" ? expiresSoonDays(k.expiresAt) : null;
  if (soon !== null) return `Active — Expires in ${soon} day${soon === 1 ? "" : "s"}`;
  return STATUS_TEXT[k.status];
}

/** An account's keys: never the secret, only its last four characters. */
export function ApiKeysTable({
  accountId,
  keys,
  canManage,
}: {
  accountId: string;
  keys: KeyRow[];
  canManage: boolean;
}) {
  const [revoking, setRevoking] = useState<KeyRow | null>(null);
  const [rotating, setRotating] = useState<KeyRow | null>(null);
  const [restricting, setRestricting] = useState<KeyRow | null>(null);
  const revoke = useRevokeApiKey(accountId);
  const head = ["Name", "Key", "Restrictions", "Created by", "Created", "Expires", "Last used", "Status"];
  if (canManage) head.push("");
  return (
    <>
      <Table caption="API keys" head={head}>
        {keys.length === 0 && <EmptyRow colSpan={head.length}>No API keys yet.</EmptyRow>}
        {keys.map((k) => (
          <tr key={k.id}>
            <Td>{k.name}</Td>
            <Td>
              <code className="text-xs">{k.masked}</code>
            </Td>
            <Td>
              <span title={k.projects?.join(", ")}>{k.restrictions}</span>
            </Td>
            <Td>{k.createdBy}</Td>
            <Td className="whitespace-nowrap px-4 py-2 align-middle text-slate-800">
              <Time value={k.createdAt} />
            </Td>
            <Td className="whitespace-nowrap px-4 py-2 align-middle text-slate-800">
              <Time value={k.expiresAt} />
            </Td>
            <Td>
              <Time value={k.lastUsedAt} relative />
              {k.lastUsedIp && <span className="block text-xs text-slate-500">from {k.lastUsedIp}</span>}
            </Td>
            <Td>{statusText(k)}</Td>
            {canManage && (
              <Td className="px-4 py-2 text-right">
                {k.status === "active" && (
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Restrict ${k.name}`}
                    onClick={() => setRestricting(k)}
                  >
                    Restrict
                  </Button>
                )}
                {k.status === "active" && !k.replaced && (
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Rotate ${k.name}`}
                    onClick={() => setRotating(k)}
                  >
                    Rotate
                  </Button>
                )}
                {k.status === "active" && (
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Revoke ${k.name}`}
                    onClick={() => {
                      revoke.reset();
                      setRevoking(k);
                    }}
                  >
                    Revoke
                  </Button>
                )}
              </Td>
            )}
          </tr>
        ))}
      </Table>
      {rotating && (
        <RotateKeyDialog accountId={accountId} apiKey={rotating} onClose={() => setRotating(null)} />
      )}
      {restricting && (
        <RestrictKeyDialog accountId={accountId} apiKey={restricting} onClose={() => setRestricting(null)} />
      )}
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title="Revoke API key"
        description={`Jobs using ${revoking?.name ?? ""} (${revoking?.masked ?? ""}) will be refused from now on. This can't be undone.`}
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.error?.message}
        onConfirm={() => revoking && revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })}
      />
    </>
  );
}

"use client";

import { useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Button } from "@/components/ui/button";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import type { KeyStatus } from "@/lib/service-accounts/data";
import { useRevokeApiKey } from "./hooks";
import { formatDate, relativeTime } from "./labels";

type KeyRow = {
  id: string;
  name: string;
  masked: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  status: KeyStatus;
};

const STATUS_TEXT: Record<KeyStatus, string> = { active: "Active", expired: "Expired", revoked: "Revoked" };

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
  const revoke = useRevokeApiKey(accountId);
  const head = ["Name", "Key", "Created by", "Created", "Expires", "Last used", "Status"];
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
            <Td>{k.createdBy}</Td>
            <Td>{formatDate(k.createdAt)}</Td>
            <Td>{formatDate(k.expiresAt)}</Td>
            <Td>{relativeTime(k.lastUsedAt)}</Td>
            <Td>{STATUS_TEXT[k.status]}</Td>
            {canManage && (
              <Td className="px-4 py-2 text-right">
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

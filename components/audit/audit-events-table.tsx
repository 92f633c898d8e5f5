import { EmptyRow, Table, Td, TimestampTd } from "@/components/ui/table";
import { formatAuditMetadata } from "@/lib/audit/record";

const ACTOR_LABEL: Record<string, string> = {
  USER: "Person",
  SERVICE_ACCOUNT: "Service account",
  SYSTEM: "System",
  ANONYMOUS: "Unverified caller",
};

export type AuditEventRow = {
  id: string;
  createdAt: Date;
  actorType: string;
  actorIdentity: string;
  action: string;
  targetName?: string | null;
  metadata: unknown;
};

/**
 * Audit events as a table: the Org Dashboard's Audit log tab and an account's recent activity.
 * Actors and targets link to where they can be opened (`hrefOf`), when they can.
 */
export function AuditEventsTable({
  events,
  caption,
  empty,
  showTarget = true,
  hrefOf,
}: {
  events: AuditEventRow[];
  caption: string;
  empty: string;
  showTarget?: boolean;
  hrefOf?: (identity: string) => string | null;
}) {
  const head = ["Time (UTC)", "Actor", "Action", ...(showTarget ? ["Target"] : []), "Details"];
  const linked = (text: string | null | undefined) => {
    const href = text ? (hrefOf?.(text) ?? null) : null;
    return href ? (
      <a href={href} className="text-indigo-700 hover:underline">
        {text}
      </a>
    ) : (
      (text ?? "—")
    );
  };
  return (
    <Table caption={caption} head={head}>
      {events.length === 0 && <EmptyRow colSpan={head.length}>{empty}</EmptyRow>}
      {events.map((e) => (
        <tr key={e.id}>
          <TimestampTd value={e.createdAt} />
          <Td>
            <span className="block">{linked(e.actorIdentity)}</span>
            <span className="text-xs text-slate-500">{ACTOR_LABEL[e.actorType] ?? e.actorType}</span>
          </Td>
          <Td>
            <code className="text-xs">{e.action}</code>
          </Td>
          {showTarget && <Td>{linked(e.targetName)}</Td>}
          <Td className="px-4 py-2 font-mono text-xs break-all text-slate-600">
            {formatAuditMetadata(e.metadata)}
          </Td>
        </tr>
      ))}
    </Table>
  );
}

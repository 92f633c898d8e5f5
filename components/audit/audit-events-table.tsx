import { EmptyRow, Table, Td, TimestampTd } from "@/components/ui/table";
import { auditSentence, type SentencePiece } from "@/lib/audit/sentences";

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

function Sentence({ pieces }: { pieces: SentencePiece[] }) {
  return (
    <>
      {pieces.map((piece, i) =>
        typeof piece === "string" ? (
          piece
        ) : "strong" in piece ? (
          <strong key={i} className="font-medium text-slate-900">
            {piece.strong}
          </strong>
        ) : (
          <code key={i} className="rounded bg-slate-100 px-1 text-xs break-all">
            {piece.code}
          </code>
        ),
      )}
    </>
  );
}

/** The metadata for those who want it: pretty JSON behind a disclosure, nothing when empty. */
function Metadata({ metadata }: { metadata: unknown }) {
  const empty =
    metadata === null ||
    metadata === undefined ||
    (typeof metadata === "object" && Object.keys(metadata).length === 0);
  if (empty) return <span className="text-slate-400">—</span>;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-indigo-700 hover:underline">Metadata</summary>
      <pre className="mt-1 max-w-md overflow-x-auto rounded bg-slate-50 p-2 font-mono whitespace-pre-wrap break-all text-slate-700">
        {JSON.stringify(metadata, null, 2)}
      </pre>
    </details>
  );
}

/**
 * Audit events as a table: the Org Dashboard's Audit log tab and an account's recent activity.
 * Each event reads as a sentence, with the action's machine name beneath it (the name the
 * Action filter, the export and the API use) and the raw metadata behind a disclosure. Actors
 * and targets link to where they can be opened (`hrefOf`), when they can.
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
  const head = ["Time", "Actor", "Action", ...(showTarget ? ["Target"] : []), "Details"];
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
          <Td className="min-w-64 px-4 py-2 text-slate-700">
            <span className="block">
              <Sentence pieces={auditSentence(e)} />
            </span>
            <code className="text-xs text-slate-500">{e.action}</code>
          </Td>
          {showTarget && <Td>{linked(e.targetName)}</Td>}
          <Td>
            <Metadata metadata={e.metadata} />
          </Td>
        </tr>
      ))}
    </Table>
  );
}

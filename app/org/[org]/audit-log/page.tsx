import { EmptyRow, Table, Td, TimestampTd } from "@/components/ui/table";
import { listAuditEvents } from "@/lib/audit/data";
import { formatAuditMetadata } from "@/lib/audit/record";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Audit log" };

const ACTOR_LABEL = {
  USER: "Person",
  SERVICE_ACCOUNT: "Service account",
  SYSTEM: "System",
  ANONYMOUS: "Anonymous",
};

export default async function OrgAuditLogPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const events = await loadOrFail(listAuditEvents(await pageCaller(), org));
  return (
    <section aria-labelledby="audit-heading" className="space-y-4">
      <div>
        <h2 id="audit-heading" className="text-lg font-semibold">
          Audit log
        </h2>
        <p className="text-sm text-slate-600">The 100 most recent events. Search and filters come later.</p>
      </div>
      <Table caption="Audit events" head={["Time (UTC)", "Actor", "Action", "Target", "Details"]}>
        {events.length === 0 && <EmptyRow colSpan={5}>No events yet.</EmptyRow>}
        {events.map((e) => (
          <tr key={e.id}>
            <TimestampTd value={e.createdAt} />
            <Td>
              <span className="block">{e.actorIdentity}</span>
              <span className="text-xs text-slate-500">{ACTOR_LABEL[e.actorType]}</span>
            </Td>
            <Td>
              <code className="text-xs">{e.action}</code>
            </Td>
            <Td>{e.targetName ?? "—"}</Td>
            <Td className="px-4 py-2 font-mono text-xs text-slate-600">{formatAuditMetadata(e.metadata)}</Td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

import { EmptyRow, Table, Td } from "@/components/ui/table";

type Row = { project: string; visibility: string; read: boolean; write: boolean; why: string };

const yesNo = (allowed: boolean) =>
  allowed ? (
    <span className="font-medium text-emerald-700">Yes</span>
  ) : (
    <span className="text-slate-500">No</span>
  );

/**
 * The org's projects the viewer may open, with what this account may do there and the rule that
 * decides; the others are only counted, so their names never reach the page.
 */
export function ProjectAccessTable({
  rows,
  hiddenCount,
  keys,
  askedKey,
}: {
  rows: Row[];
  hiddenCount: number;
  /** The account's active keys: the table can be asked about one of them (rule 24). */
  keys: { id: string; name: string; masked: string }[];
  askedKey: { id: string; name: string } | null;
}) {
  return (
    <section aria-labelledby="access-heading" className="space-y-3">
      <div>
        <h3 id="access-heading" className="text-base font-semibold">
          Project access
        </h3>
        <p className="text-sm text-slate-600">
          Why a job with this account gets &quot;Unauthorized&quot;: the same rules the API applies
          {askedKey ? `, narrowed by the restrictions of key ${askedKey.name}` : ""}.
        </p>
      </div>
      {keys.length > 0 && (
        // A plain GET form: works without JavaScript, and the answer has its own URL.
        <form method="get" className="flex flex-wrap items-end gap-2">
          <label className="text-sm">
            <span className="block font-medium">Ask about</span>
            <select
              name="key"
              defaultValue={askedKey?.id ?? ""}
              className="mt-1 rounded-md py-1.5 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300"
            >
              <option value="">The account itself</option>
              {keys.map((k) => (
                <option key={k.id} value={k.id}>
                  Key {k.name} ({k.masked})
                </option>
              ))}
            </select>
          </label>
          <button
            type="submit"
            className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-50"
          >
            Show
          </button>
        </form>
      )}
      <Table caption="Project access" head={["Project", "Visibility", "Read", "Write", "Why"]}>
        {rows.length === 0 && (
          <EmptyRow colSpan={5}>
            {hiddenCount === 0
              ? "The organization has no projects yet."
              : "No project of the organization is open to you."}
          </EmptyRow>
        )}
        {rows.map((r) => (
          <tr key={r.project}>
            <Td>
              <code className="text-xs">{r.project}</code>
            </Td>
            <Td>{r.visibility.charAt(0) + r.visibility.slice(1).toLowerCase()}</Td>
            <Td>{yesNo(r.read)}</Td>
            <Td>{yesNo(r.write)}</Td>
            <Td className="px-4 py-2 text-slate-600">{r.why}</Td>
          </tr>
        ))}
      </Table>
      {hiddenCount > 0 && (
        <p className="text-sm text-slate-600">
          {hiddenCount === 1
            ? "1 more project you cannot open is not listed."
            : `${hiddenCount} more projects you cannot open are not listed.`}
        </p>
      )}
    </section>
  );
}

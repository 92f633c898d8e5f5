import Form from "next/form";
import { AuditEventsTable } from "@/components/audit/audit-events-table";
import { Alert } from "@/components/ui/alert";
import { AutoSubmitSelect } from "@/components/ui/auto-submit-select";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";
import { auditQueryOf, auditSearch, type AuditFilterParams } from "@/lib/audit/filters";
import { auditLinks } from "@/lib/audit/links";
import { queryAuditEvents } from "@/lib/audit/query";
import { findOrgBySlug } from "@/lib/authz/data";
import { pageCaller } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { loadOrFail } from "@/lib/pages/guard";

export const metadata = { title: "Audit log" };

const PAGE = 50;
const FIELD = "block rounded-md border-0 px-3 py-2 text-sm shadow-sm ring-1 ring-inset ring-slate-300";

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && value.length <= 300 ? value : undefined;
}

export default async function OrgAuditLogPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { org: orgSlug } = await params;
  const raw = await searchParams;
  const filters: AuditFilterParams = {
    actorType: single(raw.actorType),
    action: single(raw.action),
    from: single(raw.from),
    to: single(raw.to),
    q: single(raw.q),
    cursor: single(raw.cursor),
  };
  const caller = await pageCaller();
  let page: Awaited<ReturnType<typeof queryAuditEvents>> = { events: [], nextCursor: null };
  let problem: string | null = null;
  try {
    page = await queryAuditEvents(caller, orgSlug, { ...auditQueryOf(filters), limit: PAGE });
  } catch (error) {
    // Bad filters are shown beside the form; anything else is the page's 403, 404 or error.
    if (!(error instanceof AppError) || error.code !== "INVALID") {
      await loadOrFail(Promise.reject(error instanceof Error ? error : new Error(String(error))));
      throw error;
    }
    problem = `${error.message} ${Object.values(error.fieldErrors ?? {}).join(" ")}`;
  }
  const org = await findOrgBySlug(orgSlug);
  const links = await auditLinks(org, page.events);
  const base = `/org/${org.slug}/audit-log`;
  const exportHref = (format: string) => `${base}/export${auditSearch(filters, { format })}`;
  return (
    <section aria-labelledby="audit-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="audit-heading" className="text-lg font-semibold">
            Audit log
          </h2>
          <p className="text-sm text-slate-600">
            Every change, newest first. Service accounts are never confused with people.
          </p>
        </div>
        <div className="flex gap-2 text-sm">
          <a
            className="rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50"
            href={exportHref("csv")}
            download
          >
            Export CSV
          </a>
          <a
            className="rounded-md px-3 py-1.5 ring-1 ring-slate-300 hover:bg-slate-50"
            href={exportHref("jsonl")}
            download
          >
            Export JSON Lines
          </a>
        </div>
      </div>
      {/* next/form: a GET form that navigates without a full reload, and still works without JS. */}
      <Form
        action={base}
        className="flex flex-wrap items-end gap-3 rounded-lg bg-white p-3 ring-1 ring-slate-200"
      >
        <label className="space-y-1 text-sm">
          <span className="block font-medium">Actor type</span>
          <AutoSubmitSelect name="actorType" defaultValue={filters.actorType ?? "all"} className={FIELD}>
            <option value="all">All</option>
            <option value="user">People</option>
            <option value="service_account">Service accounts</option>
            <option value="system">System</option>
          </AutoSubmitSelect>
        </label>
        <label className="space-y-1 text-sm">
          <span className="block font-medium">Action</span>
          <AutoSubmitSelect name="action" defaultValue={filters.action ?? ""} className={FIELD}>
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </AutoSubmitSelect>
        </label>
        <label className="space-y-1 text-sm">
          <span className="block font-medium">From</span>
          <input type="date" name="from" defaultValue={filters.from ?? ""} className={FIELD} />
        </label>
        <label className="space-y-1 text-sm">
          <span className="block font-medium">To</span>
          <input type="date" name="to" defaultValue={filters.to ?? ""} className={FIELD} />
        </label>
        <label className="space-y-1 text-sm">
          <span className="block font-medium">Search</span>
          <input
            type="search"
            name="q"
            defaultValue={filters.q ?? ""}
            placeholder="Actor, target or identity"
            className={FIELD}
          />
        </label>
        <button
          type="submit"
          className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Apply
        </button>
        <a href={base} className="py-2 text-sm text-indigo-700 hover:underline">
          Clear
        </a>
      </Form>
      {problem && <Alert>{problem}</Alert>}
      <AuditEventsTable
        events={page.events}
        caption="Audit events"
        empty={filters.cursor ? "No older events." : "No events match these filters."}
        hrefOf={(identity) => links[identity] ?? null}
      />
      <nav aria-label="Audit log pages" className="flex gap-4 text-sm">
        {filters.cursor && (
          <a href={`${base}${auditSearch(filters)}`} className="text-indigo-700 hover:underline">
            Newest events
          </a>
        )}
        {page.nextCursor && (
          <a
            href={`${base}${auditSearch(filters, { cursor: page.nextCursor })}`}
            className="text-indigo-700 hover:underline"
          >
            Older events
          </a>
        )}
      </nav>
    </section>
  );
}

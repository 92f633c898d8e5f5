"use client";

import Link from "next/link";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import type { TPlace } from "@/lib/service-accounts";
import type { TListFilters } from "@/lib/service-accounts/schemas";
import { useServiceAccounts, type ServiceAccountsPage } from "./hooks";
import { AUTH_METHOD_LABEL, ROLE_LABEL, SCOPE_LABEL, STATUS_LABEL } from "./labels";
import { NewServiceAccountDialog } from "./new-service-account-dialog";
import { ReportLeakedKeysDialog } from "./leaks";
import { ServiceAccountActionsMenu } from "./service-account-actions-menu";
import { Time } from "@/components/ui/time";

const SELECT =
  "rounded-md border-0 py-1.5 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600";

/** The Service Accounts tab: search, filters, a paginated table, row menus and the create dialog. */
export function ServiceAccountsView({
  place,
  initialPage,
  canCreate,
  teams,
  maxKeyLifetimeDays,
  issuers,
}: {
  place: TPlace;
  initialPage: ServiceAccountsPage;
  canCreate: boolean;
  teams: { slug: string; name: string }[];
  maxKeyLifetimeDays: number | null;
  issuers: { issuer: string; name: string }[];
}) {
  const isOrg = "orgSlug" in place;
  const [filters, setFilters] = useState<Required<Omit<TListFilters, "pin">>>({
    q: "",
    scope: "all",
    status: "all",
    authMethod: "all",
    unused: false,
    page: 1,
  });
  const isDefault =
    filters.q === "" &&
    filters.scope === "all" &&
    filters.status === "all" &&
    filters.authMethod === "all" &&
    !filters.unused;
  // The account just created here heads the list until the next navigation, whatever page its
  // name sorts onto (issue 21); this state is the page's, so leaving the page ends it.
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);
  const query = useServiceAccounts(
    place,
    created ? { ...filters, pin: created.id } : filters,
    isDefault && filters.page === 1 && !created ? initialPage : undefined,
  );
  const data = query.data;
  const update = (patch: Partial<TListFilters>) => setFilters((f) => ({ ...f, page: 1, ...patch }));
  const pages = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;
  const columns = isOrg
    ? ["Name", "Scope", "Team", "Role", "Auth method", "Status", "Keys", "Last used", ""]
    : ["Name", "Role", "Auth method", "Status", "Keys", "Last used", ""];

  return (
    <section aria-labelledby="sa-heading" className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="sa-heading" className="text-lg font-semibold">
            Service Accounts
          </h2>
          <p className="text-sm text-slate-600">
            {isOrg
              ? "Org-scoped accounts reach every team's projects except restricted ones. Team-scoped accounts are listed for inventory and managed in their team."
              : "Accounts of this team: they read and write this team's projects, and only Open projects of other teams."}
          </p>
        </div>
        {canCreate && (
          <div className="flex gap-2">
            {"orgSlug" in place && <ReportLeakedKeysDialog orgSlug={place.orgSlug} />}
            <NewServiceAccountDialog
              place={place}
              teams={teams}
              maxKeyLifetimeDays={maxKeyLifetimeDays}
              issuers={issuers}
              onCreated={setCreated}
            />
          </div>
        )}
      </div>

      <div className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter service accounts">
        <label className="text-sm">
          <span className="sr-only">Search by name</span>
          <input
            type="search"
            placeholder="Search by name"
            aria-label="Search by name"
            value={filters.q}
            onChange={(e) => update({ q: e.target.value })}
            className="w-56 rounded-md border-0 px-3 py-1.5 text-sm ring-1 ring-inset ring-slate-300"
          />
        </label>
        {isOrg && (
          <select
            aria-label="Scope"
            className={SELECT}
            value={filters.scope}
            onChange={(e) => update({ scope: e.target.value as "all" })}
          >
            <option value="all">All scopes</option>
            <option value="org">Organization</option>
            <option value="team">Team</option>
          </select>
        )}
        <select
          aria-label="Status"
          className={SELECT}
          value={filters.status}
          onChange={(e) => update({ status: e.target.value as "all" })}
        >
          <option value="all">Any status</option>
          <option value="active">Active</option>
          <option value="disabled">Disabled</option>
        </select>
        <select
          aria-label="Authentication method"
          className={SELECT}
          value={filters.authMethod}
          onChange={(e) => update({ authMethod: e.target.value as "all" })}
        >
          <option value="all">Any auth method</option>
          <option value="api_key">API key</option>
          <option value="federated">Federated identity</option>
        </select>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            checked={filters.unused}
            onChange={(e) => update({ unused: e.target.checked })}
          />
          Unused for 90 days
        </label>
      </div>

      {query.error && <Alert>{query.error.message}</Alert>}
      <p role="status" className={created ? "text-sm text-slate-700" : "sr-only"}>
        {created && (
          <>
            Service account <strong className="font-medium">{created.name}</strong> was created and is shown
            first{filters.page === 1 ? "" : " on page 1"}.
          </>
        )}
      </p>
      <Table caption="Service accounts" head={columns}>
        {data && data.items.length === 0 && (
          <EmptyRow colSpan={columns.length}>
            {isDefault
              ? "No service accounts yet. Create one for each job that needs to act on its own."
              : "No service accounts match these filters."}
          </EmptyRow>
        )}
        {data?.items.map((row) => (
          <tr key={row.id} data-highlighted={row.pinned ? "" : undefined}>
            <Td>
              <Link href={row.href} className="font-medium text-indigo-700 hover:underline">
                {row.name}
              </Link>
              {row.pinned && (
                <span className="ml-2 rounded bg-indigo-600 px-1.5 py-0.5 text-xs font-medium text-white">
                  New
                </span>
              )}
              {row.description && <span className="block text-xs text-slate-500">{row.description}</span>}
            </Td>
            {isOrg && <Td>{SCOPE_LABEL[row.scope]}</Td>}
            {isOrg && <Td>{row.team.slug}</Td>}
            <Td>{ROLE_LABEL[row.role]}</Td>
            <Td>{AUTH_METHOD_LABEL[row.authMethod]}</Td>
            <Td>
              <span
                className={
                  row.status === "ACTIVE"
                    ? "rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-800"
                    : "rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700"
                }
              >
                {STATUS_LABEL[row.status]}
              </span>
            </Td>
            <Td>{row.authMethod === "API_KEY" ? row.activeKeys : "—"}</Td>
            <Td>
              <Time value={row.lastUsedAt} relative />
            </Td>
            <Td className="px-4 py-2 text-right">
              {row.canManage ? (
                <ServiceAccountActionsMenu account={row} maxKeyLifetimeDays={maxKeyLifetimeDays} />
              ) : isOrg && row.scope === "TEAM" ? (
                <Link
                  href={`/${row.team.slug}/service-accounts`}
                  className="text-xs text-slate-500 hover:underline"
                >
                  Managed in {row.team.slug}
                </Link>
              ) : null}
            </Td>
          </tr>
        ))}
      </Table>
      {data && data.total > data.pageSize && (
        <nav aria-label="Pages" className="flex items-center justify-between text-sm text-slate-600">
          <span>
            Page {data.page} of {pages} · {data.total} accounts
          </span>
          <span className="flex gap-2">
            <Button
              variant="secondary"
              size="sm"
              disabled={filters.page <= 1}
              onClick={() => setFilters((f) => ({ ...f, page: f.page - 1 }))}
            >
              Previous
            </Button>
            <Button
              variant="secondary"
              size="sm"
              disabled={filters.page >= pages}
              onClick={() => setFilters((f) => ({ ...f, page: f.page + 1 }))}
            >
              Next
            </Button>
          </span>
        </nav>
      )}
    </section>
  );
}

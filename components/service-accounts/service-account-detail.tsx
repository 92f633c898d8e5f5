import Link from "next/link";
import type { ReactNode } from "react";
import type { PersonPrincipal } from "@/lib/core/principal";
import { decodeParam, loadOrFail } from "@/lib/pages/guard";
import { explainProjectAccess, getServiceAccountDetail, type TPlace } from "@/lib/service-accounts";
import { ProjectAccessTable } from "./project-access-table";
import { ApiKeysTable } from "./api-keys-table";
import { AuditEventsTable } from "@/components/audit/audit-events-table";
import { DetailActions } from "./detail-actions";
import { FederationPanel } from "./federation-panel";
import { LeakBanner } from "./leaks";
import { UsageChart } from "./usage-chart";
import { AUTH_METHOD_LABEL, ROLE_LABEL, SCOPE_LABEL, STATUS_LABEL } from "./labels";
import { Time } from "@/components/ui/time";

/** `/<team>/service-accounts/<account>` and `/org/<org>/service-accounts/<account>`. */
export async function ServiceAccountDetail({
  caller,
  place,
  name,
  listHref,
  askedKey,
}: {
  caller: PersonPrincipal;
  place: TPlace;
  name: string;
  listHref: string;
  /** ?key=<id>: the "Why?" table asked about one key (rule 24). */
  askedKey?: string;
}) {
  const accountName = decodeParam(name);
  const account = await loadOrFail(getServiceAccountDetail(caller, place, accountName));
  const access = account.canManage
    ? await loadOrFail(explainProjectAccess(caller, place, accountName, askedKey))
    : null;
  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <Link href={listHref} className="text-sm text-indigo-700 hover:underline">
            ← Service Accounts
          </Link>
          <h2 className="mt-1 text-xl font-semibold">{account.name}</h2>
          {account.description && <p className="text-sm text-slate-600">{account.description}</p>}
        </div>
        {account.canManage && (
          <DetailActions
            account={{
              id: account.id,
              name: account.name,
              description: account.description,
              role: account.role,
              status: account.status,
              authMethod: account.authMethod,
              owner: account.owner,
              contact: account.contact,
              keyPolicyRefusal: account.keyPolicyRefusal,
            }}
            listHref={listHref}
            maxKeyLifetimeDays={account.maxKeyLifetimeDays}
          />
        )}
      </div>

      <LeakBanner accountId={account.id} leaks={account.unacknowledgedLeaks} canManage={account.canManage} />

      <dl className="grid grid-cols-1 gap-x-8 gap-y-3 rounded-lg bg-white p-4 text-sm ring-1 ring-slate-200 sm:grid-cols-2">
        <Fact label="Identity">
          <code>{account.identity}</code>
        </Fact>
        <Fact label="Scope">{SCOPE_LABEL[account.scope]}</Fact>
        <Fact label={account.scope === "ORG" ? "Default team" : "Team"}>{account.team.slug}</Fact>
        <Fact label="Role">{ROLE_LABEL[account.role]}</Fact>
        <Fact label="Status">{STATUS_LABEL[account.status]}</Fact>
        <Fact label="Authentication">{AUTH_METHOD_LABEL[account.authMethod]}</Fact>
        <Fact label="Owner">
          {account.owner ?? "No owner"}
          {account.ownerLeft && (
            <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">
              Owner left
            </span>
          )}
        </Fact>
        <Fact label="Contact">{account.contact ?? "—"}</Fact>
        <Fact label="Created by">{account.createdBy}</Fact>
        <Fact label="Created">
          <Time value={account.createdAt} />
        </Fact>
      </dl>

      {account.authMethod === "API_KEY" ? (
        <section aria-labelledby="keys-heading" className="space-y-3">
          <h3 id="keys-heading" className="text-base font-semibold">
            API keys
          </h3>
          {account.keyPolicyRefusal && (
            <p className="rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-700 ring-1 ring-slate-200">
              {account.keyPolicyRefusal}
            </p>
          )}
          <ApiKeysTable accountId={account.id} keys={account.keys} canManage={account.canManage} />
        </section>
      ) : (
        <FederationPanel
          accountId={account.id}
          trust={account.federation[0] ?? null}
          issuers={account.issuers}
          canManage={account.canManage}
        />
      )}

      {account.authMethod === "API_KEY" && <UsageChart days={account.usage} />}

      {access && (
        <ProjectAccessTable
          rows={access.rows}
          hiddenCount={access.hiddenCount}
          keys={account.keys.filter((k) => k.status === "active")}
          askedKey={access.askedKey}
        />
      )}

      <section aria-labelledby="activity-heading" className="space-y-3">
        <h3 id="activity-heading" className="text-base font-semibold">
          Recent activity
        </h3>
        <AuditEventsTable
          events={account.events}
          caption="Recent activity"
          empty="No activity yet."
          showTarget={false}
        />
      </section>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-slate-900">{children}</dd>
    </div>
  );
}

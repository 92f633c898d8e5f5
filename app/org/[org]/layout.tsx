import type { ReactNode } from "react";
import { TabsNav } from "@/components/ui/tabs-nav";
import { getOrgHeader } from "@/lib/orgs/overview";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

/** Org Dashboard: org admins only; anyone else gets the 403 page. */
export default async function OrgLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ org: string }>;
}) {
  const { org: orgSlug } = await params;
  const org = await loadOrFail(getOrgHeader(await pageCaller(), orgSlug));
  const base = `/org/${org.slug}`;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">Org Dashboard</p>
        <h1 className="text-2xl font-semibold">{org.name}</h1>
      </div>
      <TabsNav
        label="Org Dashboard"
        tabs={[
          { href: base, label: "Members" },
          { href: `${base}/teams`, label: "Teams" },
          { href: `${base}/service-accounts`, label: "Service Accounts", prefix: true },
          { href: `${base}/identity-providers`, label: "Identity providers" },
          { href: `${base}/webhooks`, label: "Webhooks", prefix: true },
          { href: `${base}/audit-log`, label: "Audit log" },
          { href: `${base}/settings`, label: "Settings" },
        ]}
      />
      {children}
    </div>
  );
}

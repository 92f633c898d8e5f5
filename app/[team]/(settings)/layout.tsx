import type { ReactNode } from "react";
import { TabsNav } from "@/components/ui/tabs-nav";
import { getTeamContext } from "@/lib/teams/data";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

/** Team Settings: members of the team and org admins; others get the 403 page. */
export default async function TeamSettingsLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ team: string }>;
}) {
  const { team: teamSlug } = await params;
  const { team } = await loadOrFail(getTeamContext(await pageCaller(), teamSlug));
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">
          {team.org.name} / {team.slug}
        </p>
        <h1 className="text-2xl font-semibold">Team Settings</h1>
      </div>
      <TabsNav
        label="Team Settings"
        tabs={[
          { href: `/${team.slug}/settings`, label: "Members" },
          { href: `/${team.slug}/service-accounts`, label: "Service Accounts", prefix: true },
          { href: `/${team.slug}/settings/projects`, label: "Projects" },
        ]}
      />
      {children}
    </div>
  );
}

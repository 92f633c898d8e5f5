import { TeamsPanel } from "@/components/org/teams-panel";
import { listTeams } from "@/lib/teams/data";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Teams" };

export default async function OrgTeamsPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await params;
  const teams = await loadOrFail(listTeams(await pageCaller(), org));
  return <TeamsPanel orgSlug={org} teams={teams} />;
}

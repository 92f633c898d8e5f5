import { TeamMembersPanel } from "@/components/team/team-members-panel";
import { getTeamContext, listAddableTeamMembers, listTeamMembers } from "@/lib/teams/data";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Team members" };

export default async function TeamMembersPage({ params }: { params: Promise<{ team: string }> }) {
  const { team: teamSlug } = await params;
  const caller = await pageCaller();
  const [context, members] = await loadOrFail(
    Promise.all([getTeamContext(caller, teamSlug), listTeamMembers(caller, teamSlug)]),
  );
  const addable = context.canManageMembers ? await loadOrFail(listAddableTeamMembers(caller, teamSlug)) : [];
  return (
    <TeamMembersPanel
      teamSlug={context.team.slug}
      members={members}
      canManage={context.canManageMembers}
      addable={addable}
    />
  );
}

import { ProjectsPanel } from "@/components/team/projects-panel";
import { getTeamContext } from "@/lib/teams/data";
import { listGrantableAccounts, listProjects } from "@/lib/projects/data";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Projects" };

export default async function TeamProjectsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team: teamSlug } = await params;
  const caller = await pageCaller();
  const [context, projects] = await loadOrFail(
    Promise.all([getTeamContext(caller, teamSlug), listProjects(caller, teamSlug)]),
  );
  const grantableAccounts = context.canManageProjects
    ? await loadOrFail(listGrantableAccounts(caller, teamSlug))
    : [];
  return (
    <ProjectsPanel
      grantableAccounts={grantableAccounts}
      teamSlug={context.team.slug}
      projects={projects}
      canCreate={context.canCreateProject}
      canManage={context.canManageProjects}
    />
  );
}

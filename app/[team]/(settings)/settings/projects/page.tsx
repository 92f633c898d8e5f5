import { ProjectsPanel } from "@/components/team/projects-panel";
import { getProjectsPage } from "@/lib/projects/data";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const metadata = { title: "Projects" };

export default async function TeamProjectsPage({ params }: { params: Promise<{ team: string }> }) {
  const { team: teamSlug } = await params;
  const caller = await pageCaller();
  const page = await loadOrFail(getProjectsPage(caller, teamSlug));
  return (
    <ProjectsPanel
      teamSlug={page.teamSlug}
      projects={page.projects}
      canCreate={page.canCreate}
      canManage={page.canManage}
    />
  );
}

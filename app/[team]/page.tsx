import Link from "next/link";
import { getTeamContext } from "@/lib/teams/data";
import { listProjects } from "@/lib/projects/data";
import { loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";
import { EmptyRow, Table, Td } from "@/components/ui/table";

export const dynamic = "force-dynamic";

/** A team's home: its projects, with a way into Team Settings. */
export default async function TeamHomePage({ params }: { params: Promise<{ team: string }> }) {
  const { team: teamSlug } = await params;
  const caller = await pageCaller();
  const [{ team }, projects] = await loadOrFail(
    Promise.all([getTeamContext(caller, teamSlug), listProjects(caller, teamSlug)]),
  );
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <p className="text-sm text-slate-500">{team.org.name}</p>
          <h1 className="text-2xl font-semibold">{team.name}</h1>
        </div>
        <nav aria-label="Team" className="flex gap-3 text-sm font-medium">
          <Link href={`/${team.slug}/service-accounts`} className="text-indigo-700 hover:underline">
            Service Accounts
          </Link>
          <Link href={`/${team.slug}/settings`} className="text-indigo-700 hover:underline">
            Team Settings
          </Link>
        </nav>
      </div>
      <Table caption="Projects" head={["Project", "Visibility", "Runs"]}>
        {projects.length === 0 && <EmptyRow colSpan={3}>No projects yet.</EmptyRow>}
        {projects.map((p) => (
          <tr key={p.id}>
            <Td>
              <Link
                href={`/${team.slug}/projects/${encodeURIComponent(p.name)}`}
                className="font-medium text-indigo-700 hover:underline"
              >
                {p.name}
              </Link>
            </Td>
            <Td>{p.visibility.charAt(0) + p.visibility.slice(1).toLowerCase()}</Td>
            <Td>{p.runs}</Td>
          </tr>
        ))}
      </Table>
    </div>
  );
}

import Link from "next/link";
import { EmptyRow, Table, Td, TimestampTd } from "@/components/ui/table";
import { getProjectRuns } from "@/lib/projects/data";
import { VISIBILITY_HELP } from "@/lib/projects/visibility";
import { decodeParam, loadOrFail } from "@/lib/pages/guard";
import { pageCaller } from "@/lib/auth/session";

export const dynamic = "force-dynamic";
export const metadata = { title: "Project" };

/** A project's runs: who created each (a service account's identity) and whom it is attributed to. */
export default async function ProjectPage({
  params,
}: {
  params: Promise<{ team: string; project: string }>;
}) {
  const { team: teamSlug, project: projectName } = await params;
  const { team, project, runs } = await loadOrFail(
    getProjectRuns(await pageCaller(), teamSlug, decodeParam(projectName)),
  );
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-500">
          {team.orgName} /{" "}
          <Link href={`/${team.slug}`} className="hover:underline">
            {team.slug}
          </Link>
        </p>
        <h1 className="text-2xl font-semibold">{project.name}</h1>
        <p className="text-sm text-slate-600">
          {project.visibility.charAt(0) + project.visibility.slice(1).toLowerCase()}:{" "}
          {VISIBILITY_HELP[project.visibility]}
        </p>
      </div>
      <Table caption="Runs" head={["Run", "Created", "Created by", "Attributed to"]}>
        {runs.length === 0 && (
          <EmptyRow colSpan={4}>
            No runs yet. Jobs log runs with POST /api/v1/runs and a service account&apos;s key.
          </EmptyRow>
        )}
        {runs.map((r) => (
          <tr key={r.id}>
            <Td>{r.name}</Td>
            <TimestampTd value={r.createdAt} />
            <Td>
              <span className="block">{r.createdBy}</span>
              <span className="text-xs text-slate-500">{r.isAutomated ? "Service account" : "Person"}</span>
            </Td>
            <Td>{r.attributedTo ?? <span className="text-slate-500">—</span>}</Td>
          </tr>
        ))}
      </Table>
    </div>
  );
}

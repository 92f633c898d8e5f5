import { db } from "@/lib/db";
import type { PersonPrincipal } from "@/lib/core/principal";
import { authorizeTeam } from "@/lib/authz/guard";
import { isGrantEligible } from "@/lib/authz/project-access";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { findTeamProject } from "./data";
import { GRANT_CANDIDATE_LIMIT, ZSearchGrantCandidatesInput } from "./schemas";

/** One person or service account the access picker offers; `value` is what the grant action takes. */
export type GrantCandidate = { value: string; label: string; detail: string };

/**
 * Up to GRANT_CANDIDATE_LIMIT people or service accounts matching `query` that could be granted
 * access to one restricted project — the same eligibility the grant itself enforces, minus those
 * who already have access. Only someone who may manage the team's project access may search: the
 * answer names people and accounts.
 */
export async function searchGrantCandidates(caller: PersonPrincipal, teamSlug: string, input: unknown) {
  const { team } = await authorizeTeam(caller, teamSlug, "team.manage_projects");
  const data = parseInput(ZSearchGrantCandidatesInput, input);
  const project = await findTeamProject(db, team.id, { projectId: data.projectId });
  if (project.visibility !== "RESTRICTED") {
    throw new AppError(
      "INVALID",
      "Access lists apply to restricted projects. Make the project Restricted first.",
    );
  }
  // One row more than shown tells the picker to ask for a narrower search.
  const take = GRANT_CANDIDATE_LIMIT + 1;
  const found =
    data.kind === "person"
      ? await searchPeople(team.orgId, project.id, data.query, take)
      : await searchAccounts({ orgId: team.orgId, teamId: team.id }, project.id, data.query, take);
  return { candidates: found.slice(0, GRANT_CANDIDATE_LIMIT), hasMore: found.length > GRANT_CANDIDATE_LIMIT };
}

/** Members of the org (the grant refuses anyone else), by email or name. */
async function searchPeople(orgId: string, projectId: string, query: string, take: number) {
  const rows = await db.orgMembership.findMany({
    where: {
      orgId,
      user: {
        projectAccess: { none: { projectId } },
        ...(query ? { OR: [{ email: { contains: query } }, { name: { contains: query } }] } : {}),
      },
    },
    orderBy: { user: { email: "asc" } },
    take,
    select: { user: { select: { email: true, name: true } } },
  });
  return rows.map((r): GrantCandidate => ({ value: r.user.email, label: r.user.email, detail: r.user.name }));
}

/** Org-scoped accounts and the team's own (rule 4), newest first until the person types. */
async function searchAccounts(
  team: { orgId: string; teamId: string },
  projectId: string,
  query: string,
  take: number,
) {
  const rows = await db.serviceAccount.findMany({
    where: {
      orgId: team.orgId,
      deletedAt: null,
      OR: [{ scope: "ORG" }, { scope: "TEAM", teamId: team.teamId }],
      projectAccess: { none: { projectId } },
      ...(query ? { name: { contains: query } } : {}),
    },
    orderBy: query ? [{ name: "asc" }] : [{ createdAt: "desc" }, { name: "asc" }],
    take,
    select: { name: true, scope: true, orgId: true, teamId: true },
  });
  // The query mirrors isGrantEligible; checking each row with it keeps the two from drifting apart.
  return rows
    .filter((a) => isGrantEligible(a, team))
    .map((a): GrantCandidate => ({
      value: a.name,
      label: a.name,
      detail: a.scope === "ORG" ? "org-scoped" : "this team",
    }));
}

// The projects a key of an account could be limited to (the Create API key dialog's picker):
// those its account may read, by the same policy the runs domain enforces.
import { db } from "@/lib/db";
import type { Principal } from "@/lib/core/principal";
import { decideProjectAccess } from "@/lib/authz/project-access";
import { loadManagedAccount } from "@/lib/service-accounts/accounts";

/** "<team>/<project>" of every project the account can reach, sorted. */
export async function projectChoicesForKey(principal: Principal, accountRef: unknown): Promise<string[]> {
  const account = await loadManagedAccount(principal, accountRef, "keys");
  const projects = await db.project.findMany({
    where: { team: { orgId: account.orgId } },
    select: {
      name: true,
      visibility: true,
      teamId: true,
      team: { select: { slug: true } },
      access: { where: { serviceAccountId: account.id }, select: { id: true } },
    },
    take: 2000,
  });
  const facts = { orgId: account.orgId, scope: account.scope, teamId: account.teamId, role: account.role };
  return projects
    .filter(
      (p) =>
        decideProjectAccess(
          facts,
          {
            orgId: account.orgId,
            teamId: p.teamId,
            visibility: p.visibility,
            isGranted: p.access.length > 0,
          },
          "read",
        ).allowed,
    )
    .map((p) => `${p.team.slug}/${p.name}`)
    .sort();
}

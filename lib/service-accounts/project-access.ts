// The "Why?" table: which projects an account may read and write, and the rule that decides.
import { db } from "@/lib/db";
import type { PersonPrincipal } from "@/lib/core/principal";
import { canManageServiceAccount, canSeeProject } from "@/lib/authz/policy";
import { AppError } from "@/lib/errors";
import { decideProjectAccess } from "@/lib/authz/project-access";
import { resolvePlace, accountInPlace } from "./place";

/**
 * "Why?" for admins: the org's projects with whether this account may read and write each, and
 * the rule that decides — computed by the same policy the API enforces. Only projects the viewing
 * person could open themselves are named (SPEC §8); the rest are only counted.
 */
export async function explainProjectAccess(caller: PersonPrincipal, placeInput: unknown, name: unknown) {
  const place = await resolvePlace(caller, placeInput);
  const account = await db.serviceAccount.findFirst({
    where: accountInPlace(place, name),
    select: { id: true, orgId: true, scope: true, role: true, team: { select: { id: true, orgId: true } } },
  });
  if (!account || !canManageServiceAccount(place.actor, account)) {
    throw new AppError("NOT_FOUND", "Service account not found.");
  }
  const projects = await db.project.findMany({
    where: { team: { orgId: account.orgId } },
    orderBy: [{ team: { slug: "asc" } }, { name: "asc" }],
    select: {
      id: true,
      name: true,
      visibility: true,
      teamId: true,
      team: { select: { slug: true } },
      // The account's grant decides its access; the viewer's own grant decides whether they see the row.
      access: {
        where: { OR: [{ serviceAccountId: account.id }, { userId: caller.user.id }] },
        select: { serviceAccountId: true, userId: true },
      },
    },
  });
  const visible = projects.filter((p) =>
    canSeeProject(place.actor, {
      visibility: p.visibility,
      team: { id: p.teamId, orgId: account.orgId },
      isGranted: p.access.some((a) => a.userId === caller.user.id),
    }),
  );
  const principal = {
    orgId: account.orgId,
    scope: account.scope,
    teamId: account.team.id,
    role: account.role,
  };
  const rows = visible.map((p) => {
    const facts = {
      orgId: account.orgId,
      teamId: p.teamId,
      visibility: p.visibility,
      isGranted: p.access.some((a) => a.serviceAccountId === account.id),
    };
    const read = decideProjectAccess(principal, facts, "read");
    const write = decideProjectAccess(principal, facts, "write");
    return {
      project: `${p.team.slug}/${p.name}`,
      visibility: p.visibility,
      read: read.allowed,
      write: write.allowed,
      // The rule that limits the account most: the write rule when writing is refused.
      why: write.allowed ? write.rule : read.allowed ? `read only — ${write.rule}` : read.rule,
    };
  });
  return { rows, hiddenCount: projects.length - visible.length };
}

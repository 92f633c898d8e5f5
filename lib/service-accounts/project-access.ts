// The "Why?" table: which projects an account may read and write, and the rule that decides.
import { db } from "@/lib/db";
import type { PersonPrincipal } from "@/lib/core/principal";
import { canManageServiceAccount, canSeeProject } from "@/lib/authz/policy";
import { AppError } from "@/lib/errors";
import { decideProjectAccess, type AccessDecision } from "@/lib/authz/project-access";
import { credentialDenial } from "@/lib/keys/restrictions";
import { restrictionsOfKey } from "@/lib/keys/key-restrictions";
import { isBoundedId } from "@/lib/validation/text";
import { resolvePlace, accountInPlace } from "./place";

/**
 * "Why?" for admins: the org's projects with whether this account may read and write each, and
 * the rule that decides — computed by the same policy the API enforces. Only projects the viewing
 * person could open themselves are named (SPEC §8); the rest are only counted.
 */
export async function explainProjectAccess(
  caller: PersonPrincipal,
  placeInput: unknown,
  name: unknown,
  /** Asked about one key of the account (rule 24): its restrictions narrow every row. */
  keyRef?: unknown,
) {
  const place = await resolvePlace(caller, placeInput);
  const account = await db.serviceAccount.findFirst({
    where: accountInPlace(place, name),
    select: { id: true, orgId: true, scope: true, role: true, team: { select: { id: true, orgId: true } } },
  });
  if (!account || !canManageServiceAccount(place.actor, account)) {
    throw new AppError("NOT_FOUND", "Service account not found.");
  }
  const key =
    isBoundedId(keyRef) && keyRef !== ""
      ? await db.apiKey.findFirst({
          where: { id: keyRef, serviceAccountId: account.id },
          select: { id: true, name: true, permission: true, projects: true, allowedIps: true },
        })
      : null;
  const restrictions = key && restrictionsOfKey(key, account.role);
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
    const path = `${p.team.slug}/${p.name}`;
    const read = narrowed(decideProjectAccess(principal, facts, "read"), path, "read");
    const write = narrowed(decideProjectAccess(principal, facts, "write"), path, "write");
    return {
      project: path,
      visibility: p.visibility,
      read: read.allowed,
      write: write.allowed,
      // The rule that limits the account most: the write rule when writing is refused.
      why: write.allowed ? write.rule : read.allowed ? `read only — ${write.rule}` : read.rule,
    };
  });
  /** The account's decision, then the key's restrictions on top (they only ever narrow it). */
  function narrowed(decision: AccessDecision, path: string, operation: "read" | "write"): AccessDecision {
    if (!decision.allowed || !restrictions) return decision;
    const denial = credentialDenial(restrictions, account!.role, path, operation);
    if (denial === "read_only_key")
      return { allowed: false, code: "forbidden", rule: `key ${key.name} is read-only` };
    if (denial === "other_project")
      return { allowed: false, code: "forbidden", rule: `key ${key.name} is limited to other projects` };
    return decision;
  }
  return {
    rows,
    hiddenCount: projects.length - visible.length,
    askedKey: key && { id: key.id, name: key.name },
  };
}

// Restrictions on a key as the domain sets them (rule 24): checked against the account (they may
// only narrow it) and the organization (the projects must exist in it), stored, answered.
import type { Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { restrictionsAnswerOf } from "./credential-restrictions";
import {
  storedList,
  storedPermission,
  wideningOf,
  type AccountRole,
  type Restrictions,
} from "./restrictions";

/** The restrictions stored on a key row. */
export function storedRestrictions(row: {
  permission: string | null;
  projects: unknown;
  allowedIps: unknown;
}): Restrictions {
  return {
    permission: storedPermission(row.permission),
    projects: storedList(row.projects),
    allowedIps: storedList(row.allowedIps),
  };
}

/** A key's restrictions as every ApiKey answer carries them: the effective permission. */
export function restrictionsOfKey(
  row: { permission: string | null; projects: unknown; allowedIps: unknown },
  role: AccountRole,
) {
  return restrictionsAnswerOf(role, storedRestrictions(row));
}

/** The columns that store restrictions. */
export function restrictionColumns(restrictions: Restrictions) {
  return {
    permission: restrictions.permission,
    projects: restrictions.projects && JSON.stringify(restrictions.projects),
    allowedIps: restrictions.allowedIps && JSON.stringify(restrictions.allowedIps),
  };
}

/**
 * Refuses restrictions that would widen the account (a permission above its role) or name a
 * project that is not in its organization. A listed project the account cannot reach is allowed:
 * the key simply cannot use it either (its account's rules still apply).
 */
export async function assertRestrictionsFit(
  tx: Tx,
  account: { orgId: string; role: AccountRole },
  restrictions: Restrictions,
): Promise<void> {
  const widening = wideningOf(restrictions, account.role);
  if (widening) {
    throw new AppError("INVALID", `Restrictions can only narrow an account: ${widening}`, {
      permission: widening,
    });
  }
  if (!restrictions.projects) return;
  const missing = await missingProjects(tx, account.orgId, restrictions.projects);
  if (missing.length > 0) {
    const message = `No project ${missing.slice(0, 5).join(", ")} in this organization: name existing projects as <team>/<project>.`;
    throw new AppError("INVALID", message, { projects: message });
  }
}

/**
 * Which of these "<team>/<project>" paths name no project of the organization: one query, for a
 * key's projects restriction and for the token exchange's project scopes alike.
 */
export async function missingProjects(client: Tx, orgId: string, paths: string[]): Promise<string[]> {
  const found = await client.project.findMany({
    where: {
      team: { orgId },
      OR: paths.map((path) => {
        const slash = path.indexOf("/");
        return { name: path.slice(slash + 1), team: { slug: path.slice(0, slash) } };
      }),
    },
    select: { name: true, team: { select: { slug: true } } },
  });
  const present = new Set(found.map((p) => `${p.team.slug}/${p.name}`));
  return paths.filter((path) => !present.has(path));
}

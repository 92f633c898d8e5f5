// Which service accounts a caller may list, once for every door: people by their org and team
// roles, service accounts by rule 17's managedListScope. The console (queries.ts: a page's place,
// page numbers) and the API (directory.ts: cursors) build their lists on this one where-clause
// and only shape the rows.
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { loadOrgActor } from "@/lib/authz/data";
import { managedListScope } from "@/lib/authz/management";
import type { OrgActor } from "@/lib/authz/policy";
import { isServiceAccountPrincipal, type ActingServiceAccount, type Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { isBoundedId } from "@/lib/validation/text";
import { accountFilterWhere, type AccountFilters } from "./filters";
import { liveKeyWhere } from "@/lib/keys/state";

/** Who lists, in which org: a person with their roles there, or a calling service account. */
export type AccountLister = { org: { id: string; slug: string } } & (
  { person: OrgActor } | { account: ActingServiceAccount }
);

const MAY_NOT_LIST = () =>
  new AppError("FORBIDDEN", "Only ADMIN service accounts may use the management API.");

/**
 * The lister for a principal naming an org (a person's) or its own org (a service account's);
 * refuses, before anything else is read, a service account that may not list at all.
 */
export async function resolveLister(
  principal: Principal,
  orgSlug: string | undefined,
): Promise<AccountLister> {
  if (isServiceAccountPrincipal(principal)) {
    const account = principal.serviceAccount;
    if (!managedListScope(account)) throw MAY_NOT_LIST();
    return { org: { id: account.orgId, slug: account.orgSlug }, account };
  }
  const org = isBoundedId(orgSlug)
    ? await db.organization.findUnique({ where: { slug: orgSlug }, select: { id: true, slug: true } })
    : null;
  if (!org) throw new AppError("NOT_FOUND", "Organization not found.");
  const person = await loadOrgActor(principal.user.id, org.id);
  if (person.orgRole === null) throw new AppError("NOT_FOUND", "Organization not found.");
  return { org, person };
}

/** The accounts of the lister's org it may see: the visibility half of every list. */
function visibleWhere(lister: AccountLister): Prisma.ServiceAccountWhereInput {
  if ("account" in lister) {
    const scope = managedListScope(lister.account);
    if (!scope) throw MAY_NOT_LIST();
    return { orgId: lister.org.id, ...scope };
  }
  // Org admins see every account; others their teams' team-scoped accounts (read-only).
  return lister.person.orgRole === "ADMIN"
    ? { orgId: lister.org.id }
    : { orgId: lister.org.id, scope: "TEAM", teamId: { in: Object.keys(lister.person.teamRoles) } };
}

export type AccountListQuery = AccountFilters & {
  /** Only accounts of this team (id): parent team or default team. */
  teamId?: string;
};

/** The one where-clause of a list: live accounts the lister may see, narrowed by the query. */
export function listableAccountsWhere(
  lister: AccountLister,
  query: AccountListQuery,
  now: Date,
): Prisma.ServiceAccountWhereInput {
  return {
    AND: [
      visibleWhere(lister),
      { deletedAt: null },
      accountFilterWhere(query, now),
      query.teamId ? { teamId: query.teamId } : {},
    ],
  };
}

/** Live keys per account of one page only (a relation _count would aggregate every key first). */
export async function liveKeyCounts(accountIds: string[], now: Date) {
  if (accountIds.length === 0) return new Map<string | null, number>();
  const groups = await db.apiKey.groupBy({
    by: ["serviceAccountId"],
    where: { serviceAccountId: { in: accountIds }, ...liveKeyWhere(now) },
    _count: { _all: true },
  });
  return new Map(groups.map((g) => [g.serviceAccountId, g._count._all]));
}

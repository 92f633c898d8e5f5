// Reading service accounts for the management API and the CLI: a cursor-paged, filtered list and
// one account, as plain records (SPEC §4's ServiceAccount, before the API lower-cases enums).
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { loadOrgActor } from "@/lib/authz/data";
import { managedListScope } from "@/lib/authz/management";
import { isServiceAccountPrincipal, type Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { isBoundedId } from "@/lib/validation/text";
import { serviceAccountIdentity } from "./identity";
import { accountFilterWhere, type AccountFilters } from "./filters";
import { liveKeyWhere } from "./key-state";
import { creatorIdentities } from "./creators";
import { loadManagedAccount } from "./accounts";
import { ZServiceAccountName } from "./schemas";

const ACCOUNT_SELECT = {
  id: true,
  orgId: true,
  name: true,
  description: true,
  scope: true,
  role: true,
  status: true,
  authMethod: true,
  createdAt: true,
  createdByUserId: true,
  createdByServiceAccountId: true,
  lastUsedAt: true,
  org: { select: { slug: true } },
  team: { select: { slug: true } },
  federatedIdentities: {
    take: 1,
    select: { issuer: true, subjectPattern: true, audience: true, claimConditions: true },
  },
} satisfies Prisma.ServiceAccountSelect;

type AccountRow = Prisma.ServiceAccountGetPayload<{ select: typeof ACCOUNT_SELECT }>;

/** Rows as records with their creator, live key count and trust settings: three queries per page. */
async function toRecords(rows: AccountRow[], orgSlug: string) {
  const now = new Date();
  const [creators, liveKeys] = await Promise.all([
    creatorIdentities(rows, orgSlug),
    rows.length
      ? db.apiKey.groupBy({
          by: ["serviceAccountId"],
          where: { serviceAccountId: { in: rows.map((r) => r.id) }, ...liveKeyWhere(now) },
          _count: { _all: true },
        })
      : [],
  ]);
  const keyCount = new Map(liveKeys.map((g) => [g.serviceAccountId, g._count._all]));
  return rows.map((row) => {
    const federation = row.federatedIdentities[0];
    return {
      id: row.id,
      name: row.name,
      identity: serviceAccountIdentity(row.name, orgSlug),
      description: row.description,
      scope: row.scope,
      team: row.team.slug,
      role: row.role,
      status: row.status,
      authMethod: row.authMethod,
      federation: federation
        ? {
            issuer: federation.issuer,
            subject: federation.subjectPattern,
            audience: federation.audience,
            claims: (federation.claimConditions ?? {}) as Record<string, string>,
          }
        : null,
      createdAt: row.createdAt,
      createdBy: creators.of(row),
      lastUsedAt: row.lastUsedAt,
      keyCount: keyCount.get(row.id) ?? 0,
    };
  });
}

export type ServiceAccountRecord = Awaited<ReturnType<typeof toRecords>>[number];

export type DirectoryQuery = AccountFilters & {
  /** Only accounts of this team (slug): parent team or default team. */
  team?: string;
  limit: number;
  cursor?: string;
  /** A person's list needs the org (a service account's is its own). */
  org?: string;
};

const ZCursor = z.string().transform((value, ctx) => {
  const name = Buffer.from(value, "base64url").toString("utf8");
  if (!ZServiceAccountName.safeParse(name).success || Buffer.from(name).toString("base64url") !== value) {
    ctx.addIssue({ code: "custom", message: "cursor is not valid" });
    return z.NEVER;
  }
  return name;
});

/** Which accounts of which org the principal may list, as a where-clause. */
async function visibleWhere(principal: Principal, orgSlug: string | undefined) {
  if (isServiceAccountPrincipal(principal)) {
    const scope = managedListScope(principal.serviceAccount);
    if (!scope) throw new AppError("FORBIDDEN", "Only ADMIN service accounts may use the management API.");
    return {
      org: { id: principal.serviceAccount.orgId, slug: principal.serviceAccount.orgSlug },
      where: { orgId: principal.serviceAccount.orgId, ...scope } as Prisma.ServiceAccountWhereInput,
    };
  }
  const org = isBoundedId(orgSlug)
    ? await db.organization.findUnique({ where: { slug: orgSlug }, select: { id: true, slug: true } })
    : null;
  if (!org) throw new AppError("NOT_FOUND", "Organization not found.");
  const actor = await loadOrgActor(principal.user.id, org.id);
  if (actor.orgRole === null) throw new AppError("NOT_FOUND", "Organization not found.");
  // Org admins see every account; others their teams' team-scoped accounts (read-only).
  const where: Prisma.ServiceAccountWhereInput =
    actor.orgRole === "ADMIN"
      ? { orgId: org.id }
      : { orgId: org.id, scope: "TEAM", teamId: { in: Object.keys(actor.teamRoles) } };
  return { org, where };
}

/** A page of live accounts the principal manages, by name, with the cursor of the next page. */
export async function listManagedAccounts(principal: Principal, query: DirectoryQuery) {
  const { org, where } = await visibleWhere(principal, query.org);
  let after: string | undefined;
  if (query.cursor !== undefined) {
    const parsed = ZCursor.safeParse(query.cursor);
    if (!parsed.success) {
      throw new AppError("INVALID", "cursor is not valid: pass the nextCursor of a previous answer.");
    }
    after = parsed.data;
  }
  const team = query.team
    ? await db.team.findFirst({ where: { orgId: org.id, slug: query.team }, select: { id: true } })
    : null;
  if (query.team && !team)
    throw new AppError("NOT_FOUND", `Team "${query.team}" was not found in this organization.`);
  const rows = await db.serviceAccount.findMany({
    where: {
      AND: [
        where,
        { deletedAt: null },
        accountFilterWhere(query, new Date()),
        team ? { teamId: team.id } : {},
        after ? { name: { gt: after } } : {},
      ],
    },
    orderBy: { name: "asc" },
    take: query.limit + 1,
    select: ACCOUNT_SELECT,
  });
  const page = rows.slice(0, query.limit);
  const nextCursor = rows.length > query.limit ? Buffer.from(page.at(-1)!.name).toString("base64url") : null;
  return { serviceAccounts: await toRecords(page, org.slug), nextCursor };
}

/** One account the principal manages, by id or (for a service account) name. */
export async function getManagedAccount(principal: Principal, ref: unknown): Promise<ServiceAccountRecord> {
  const managed = await loadManagedAccount(principal, ref, "view");
  const row = await db.serviceAccount.findUniqueOrThrow({
    where: { id: managed.id },
    select: ACCOUNT_SELECT,
  });
  return (await toRecords([row], row.org.slug))[0]!;
}

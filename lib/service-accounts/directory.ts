// Reading service accounts for the management API and the CLI: a cursor-paged, filtered list and
// one account, as plain records (SPEC §4's ServiceAccount, before the API lower-cases enums).
// Who may see which account is listing.ts's, shared with the console's list.
import { z } from "zod";
import { db } from "@/lib/db";
import { storedList } from "@/lib/keys/restrictions";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { serviceAccountIdentity } from "./identity";
import type { AccountFilters } from "./filters";
import { listableAccountsWhere, liveKeyCounts, resolveLister } from "./listing";
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
  contact: true,
  owner: { select: { email: true, orgMemberships: { select: { orgId: true } } } },
  org: { select: { slug: true } },
  team: { select: { slug: true } },
  federatedIdentities: {
    take: 1,
    select: { issuer: true, subjectPattern: true, audience: true, claimConditions: true, allowedIps: true },
  },
} satisfies Prisma.ServiceAccountSelect;

type AccountRow = Prisma.ServiceAccountGetPayload<{ select: typeof ACCOUNT_SELECT }>;

/** Rows as records with their creator, live key count and trust settings: three queries per page. */
async function toRecords(rows: AccountRow[], orgSlug: string) {
  const now = new Date();
  const [creators, keyCount] = await Promise.all([
    creatorIdentities(rows, orgSlug),
    liveKeyCounts(
      rows.map((r) => r.id),
      now,
    ),
  ]);
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
            allowedIps: storedList(federation.allowedIps),
          }
        : null,
      createdAt: row.createdAt,
      createdBy: creators.of(row),
      lastUsedAt: row.lastUsedAt,
      keyCount: keyCount.get(row.id) ?? 0,
      owner: row.owner?.email ?? null,
      ownerLeft: row.owner ? !row.owner.orgMemberships.some((m) => m.orgId === row.orgId) : false,
      contact: row.contact,
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

/** A page of live accounts the principal manages, by name, with the cursor of the next page. */
export async function listManagedAccounts(principal: Principal, query: DirectoryQuery) {
  const lister = await resolveLister(principal, query.org);
  const { org } = lister;
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
  const visible = listableAccountsWhere(lister, { ...query, teamId: team?.id }, new Date());
  const rows = await db.serviceAccount.findMany({
    where: after ? { AND: [visible, { name: { gt: after } }] } : visible,
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

// "Created by" as people read it: a person's email, or a service account's display identity.
import { db } from "@/lib/db";
import { serviceAccountIdentity } from "./identity";

type CreatedRow = { createdByUserId: string | null; createdByServiceAccountId: string | null };

/** Looks up, in two queries at most, who created each row; "—" for a creator no longer known. */
export async function creatorIdentities(rows: CreatedRow[], orgSlug: string) {
  const userIds = [...new Set(rows.map((r) => r.createdByUserId).filter((id): id is string => id !== null))];
  const accountIds = [
    ...new Set(rows.map((r) => r.createdByServiceAccountId).filter((id): id is string => id !== null)),
  ];
  const [people, accounts] = await Promise.all([
    userIds.length
      ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } })
      : [],
    accountIds.length
      ? db.serviceAccount.findMany({ where: { id: { in: accountIds } }, select: { id: true, name: true } })
      : [],
  ]);
  const names = new Map<string, string>([
    ...people.map((p) => [p.id, p.email] as const),
    ...accounts.map((a) => [a.id, serviceAccountIdentity(a.name, orgSlug)] as const),
  ]);
  return {
    of(row: CreatedRow): string {
      const id = row.createdByUserId ?? row.createdByServiceAccountId;
      return (id && names.get(id)) ?? "—";
    },
  };
}

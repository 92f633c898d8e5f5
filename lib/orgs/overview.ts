// The org an admin's dashboard opens on: its header, and its seat usage for the Members tab.
import { db } from "@/lib/db";
import type { PersonPrincipal } from "@/lib/core/principal";
import { authorizeOrg } from "@/lib/authz/guard";

/** Humans holding a seat: org members. Service accounts are not members and never count. */
export async function countSeatsUsed(orgId: string): Promise<number> {
  return db.orgMembership.count({ where: { orgId } });
}

/** The org whose dashboard the caller opens (org admins only). */
export async function getOrgHeader(caller: PersonPrincipal, orgSlug: string) {
  return (await authorizeOrg(caller, orgSlug, "org.view_dashboard")).org;
}

/** The org with its seat usage, for the Members tab. */
export async function getOrgOverview(caller: PersonPrincipal, orgSlug: string) {
  const org = await getOrgHeader(caller, orgSlug);
  return { ...org, seatsUsed: await countSeatsUsed(org.id) };
}

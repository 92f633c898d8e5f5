import { db } from "@/lib/db";

/** The orgs and teams a person belongs to, for the top navigation and the home redirect. */
export async function listPlacesOf(userId: string) {
  const memberships = await db.orgMembership.findMany({
    where: { userId },
    orderBy: { org: { name: "asc" } },
    select: {
      role: true,
      org: {
        select: {
          slug: true,
          name: true,
          teams: {
            orderBy: { slug: "asc" },
            select: { slug: true, name: true, memberships: { where: { userId }, select: { role: true } } },
          },
        },
      },
    },
  });
  return memberships.map((m) => ({
    slug: m.org.slug,
    name: m.org.name,
    role: m.role,
    // Org admins reach every team of their org; others only the teams they belong to.
    teams: m.org.teams
      .filter((t) => m.role === "ADMIN" || t.memberships.length > 0)
      .map((t) => ({ slug: t.slug, name: t.name, role: t.memberships[0]?.role ?? null })),
  }));
}

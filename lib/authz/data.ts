import { cache } from "react";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { isBoundedId } from "@/lib/validation/text";
import type { OrgActor, TeamRoleName } from "./policy";

/** Loads a person's roles in one org from the database: fresh on every request, once per request. */
export const loadOrgActor = cache(async function loadOrgActor(
  userId: string,
  orgId: string,
): Promise<OrgActor> {
  const [membership, teamMemberships] = await Promise.all([
    db.orgMembership.findUnique({ where: { orgId_userId: { orgId, userId } }, select: { role: true } }),
    db.teamMembership.findMany({
      where: { userId, team: { orgId } },
      select: { teamId: true, role: true },
    }),
  ]);
  const teamRoles: Record<string, TeamRoleName> = {};
  for (const m of teamMemberships) teamRoles[m.teamId] = m.role;
  return { userId, orgId, orgRole: membership?.role ?? null, teamRoles };
});

/** Finds an org by slug or throws NOT_FOUND. */
export const findOrgBySlug = cache(async function findOrgBySlug(slug: string) {
  // Action arguments come from the network: anything but a plain short string names nothing.
  if (!isBoundedId(slug)) throw new AppError("NOT_FOUND", "Organization was not found.");
  const org = await db.organization.findUnique({
    where: { slug },
    select: { id: true, slug: true, name: true, seatLimit: true },
  });
  if (!org) throw new AppError("NOT_FOUND", `Organization "${slug}" was not found.`);
  return org;
});

/** Finds a team by slug (with its org) or throws NOT_FOUND. */
export const findTeamBySlug = cache(async function findTeamBySlug(slug: string) {
  if (!isBoundedId(slug)) throw new AppError("NOT_FOUND", "Team was not found.");
  const team = await db.team.findUnique({
    where: { slug },
    select: { id: true, slug: true, name: true, orgId: true, org: { select: { slug: true, name: true } } },
  });
  if (!team) throw new AppError("NOT_FOUND", `Team "${slug}" was not found.`);
  return team;
});

// Where a service-accounts request happens — the Org Dashboard or a team's tab — resolved and
// authorised for the caller, and the console links that follow from it.
import { z } from "zod";
import { isBoundedId, zText } from "@/lib/validation/text";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { PersonPrincipal } from "@/lib/core/principal";
import { authorizeOrg, authorizeTeam } from "@/lib/authz/guard";
import { AppError } from "@/lib/errors";

/** Where a list or a create happens: the Org Dashboard or a team's Service Accounts tab. */
export const ZPlace = z.union([
  z.object({ orgSlug: zText().min(1).max(64) }).strict(),
  z.object({ teamSlug: zText().min(1).max(64) }).strict(),
]);
export type TPlace = z.infer<typeof ZPlace>;

/** Resolves and authorises a place for the caller: the Org Dashboard (org admins) or a team's tab. */
export async function resolvePlace(caller: PersonPrincipal, placeInput: unknown) {
  const parsed = ZPlace.safeParse(placeInput);
  if (!parsed.success) throw new AppError("NOT_FOUND", "That organization or team was not found.");
  const place = parsed.data;
  if ("orgSlug" in place) {
    const { org, actor } = await authorizeOrg(caller, place.orgSlug, "org.manage_service_accounts");
    return { kind: "org" as const, org: { id: org.id, slug: org.slug }, team: null, actor };
  }
  const { team, actor } = await authorizeTeam(caller, place.teamSlug, "team.view_service_accounts");
  return { kind: "team" as const, org: { id: team.orgId, slug: team.org.slug }, team, actor };
}

/** The console link of an account's page. */
export function accountHref(
  account: { name: string; scope: "ORG" | "TEAM"; team: { slug: string } },
  orgSlug: string,
) {
  return account.scope === "ORG"
    ? `/org/${orgSlug}/service-accounts/${account.name}`
    : `/${account.team.slug}/service-accounts/${account.name}`;
}

/**
 * The live account a page names: a team's tab shows only that team's accounts, the Org Dashboard
 * only org-scoped ones (team-scoped accounts are opened from their team).
 */
export function accountInPlace(
  place: Awaited<ReturnType<typeof resolvePlace>>,
  name: unknown,
): Prisma.ServiceAccountWhereInput {
  if (!isBoundedId(name)) throw new AppError("NOT_FOUND", "Service account not found.");
  return {
    orgId: place.org.id,
    name,
    deletedAt: null,
    ...(place.team ? { teamId: place.team.id, scope: "TEAM" } : { scope: "ORG" }),
  };
}

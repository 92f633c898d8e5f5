import type { Tx } from "@/lib/db";
import type { ActingServiceAccount } from "@/lib/core/principal";
import type { TCreateRunInput } from "./schemas";

/**
 * Resolves the human a run is attributed to (rule 10): a member of the account's parent team
 * (team scope) or of the target team (org scope). Otherwise the run stays unattributed and the
 * answer carries a warning that says why.
 */
export async function resolveAttribution(
  client: Tx,
  account: ActingServiceAccount,
  targetTeam: { id: string; slug: string },
  input: Pick<TCreateRunInput, "username" | "userEmail">,
): Promise<{ user: { id: string; email: string } | null; warning: string | null }> {
  if (!input.userEmail && !input.username) return { user: null, warning: null };
  const team = account.scope === "TEAM" ? account.team : targetTeam;
  const members = await client.teamMembership.findMany({
    where: { teamId: team.id },
    select: { user: { select: { id: true, email: true } } },
  });
  const asked = input.userEmail ?? input.username!;
  const matches = members
    .map((m) => m.user)
    .filter((u) =>
      input.userEmail
        ? u.email === input.userEmail
        : u.email.split("@")[0]?.toLowerCase() === input.username!.toLowerCase(),
    );
  if (matches.length === 1) return { user: matches[0]!, warning: null };
  const field = input.userEmail ? "userEmail" : "username";
  const why =
    matches.length > 1
      ? `${field} "${asked}" matches several members of team ${team.slug}; use userEmail`
      : `${field} "${asked}" is not a member of team ${team.slug}`;
  return { user: null, warning: `${why}, so the run is not attributed to anyone.` };
}

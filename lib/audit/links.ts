// Where an audit event's actor or target can be opened in the console: service accounts by their
// display identity, projects by "team/project". One query per page of events.
import { db } from "@/lib/db";
import { accountHref } from "@/lib/service-accounts/place";

export async function auditLinks(
  org: { id: string; slug: string },
  events: { actorIdentity: string; targetType: string | null; targetName: string | null }[],
): Promise<Record<string, string>> {
  const suffix = `@${org.slug}.sa.`;
  // A service account's display identity, as recorded then, names it by what precedes the suffix.
  const accountName = (identity: string | null) => {
    const at = identity?.indexOf(suffix) ?? -1;
    return identity && at > 0 ? identity.slice(0, at) : null;
  };
  const links: Record<string, string> = {};
  for (const e of events) {
    if (e.targetType === "project" && e.targetName && /^[^/]+\/[^/]+$/.test(e.targetName)) {
      const [team, project] = e.targetName.split("/") as [string, string];
      links[e.targetName] = `/${encodeURIComponent(team)}/projects/${encodeURIComponent(project)}`;
    }
  }
  const identities = events.flatMap((e) => [e.actorIdentity, e.targetName]);
  const names = [...new Set(identities.map(accountName).filter((n): n is string => n !== null))];
  if (names.length === 0) return links;
  const accounts = await db.serviceAccount.findMany({
    where: { orgId: org.id, deletedAt: null, name: { in: names } },
    select: { name: true, scope: true, team: { select: { slug: true } } },
  });
  const hrefOf = new Map(accounts.map((a) => [a.name, accountHref(a, org.slug)]));
  for (const identity of identities) {
    const href = hrefOf.get(accountName(identity) ?? "");
    if (identity && href) links[identity] = href;
  }
  return links;
}

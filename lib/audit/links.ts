// Where an audit event's actor or target can be opened in the console: service accounts by their
// display identity, projects by "team/project". One query per page of events.
import { db } from "@/lib/db";
import { accountHref } from "@/lib/service-accounts/place";

export async function auditLinks(
  org: { id: string; slug: string },
  events: { actorIdentity: string; targetType: string | null; targetName: string | null }[],
): Promise<Record<string, string>> {
  const suffix = `@${org.slug}.sa.`;
  const names = new Set<string>();
  const links: Record<string, string> = {};
  for (const e of events) {
    for (const identity of [e.actorIdentity, e.targetName]) {
      const at = identity?.indexOf(suffix) ?? -1;
      if (identity && at > 0) names.add(identity.slice(0, at));
    }
    if (e.targetType === "project" && e.targetName && /^[^/]+\/[^/]+$/.test(e.targetName)) {
      const [team, project] = e.targetName.split("/") as [string, string];
      links[e.targetName] = `/${encodeURIComponent(team)}/projects/${encodeURIComponent(project)}`;
    }
  }
  if (names.size > 0) {
    const accounts = await db.serviceAccount.findMany({
      where: { orgId: org.id, deletedAt: null, name: { in: [...names] } },
      select: { name: true, scope: true, team: { select: { slug: true } } },
    });
    for (const account of accounts) {
      const identity = events
        .flatMap((e) => [e.actorIdentity, e.targetName])
        .find((i) => i?.startsWith(`${account.name}${suffix}`));
      if (identity) links[identity] = accountHref(account, org.slug);
    }
  }
  return links;
}

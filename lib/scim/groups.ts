// SCIM Groups (rule 35): the org's teams. A group's members are the team's members (new ones
// join as team MEMBER; roles stay Deputy's to give); creating a group creates a team with a slug
// made from its display name. Audited as the system, identity "scim", with the console's actions.
import { z } from "zod";
import { db, type Tx } from "@/lib/db";
import { scimAudit, type ScimSource } from "./source";
import { lockRow } from "@/lib/db/row-lock";
import { RESERVED_SLUGS } from "@/lib/validation/slug";
import { ScimError, notFound } from "./errors";
import { parseEqualityFilter, pageOf } from "./filter";
import { applyPatch, normalisedOperations } from "./patch";
import { MAX_PAGE, groupResource, listResponse, type ScimTeam } from "./resources";

const GROUP_FILTERS = ["displayName", "externalId", "id"] as const;
const MAX_MEMBERS = 10_000;

const ZGroupBody = z.object({
  displayName: z.string().trim().min(1).max(80),
  externalId: z.string().trim().max(255).nullish(),
  members: z
    .array(z.object({ value: z.string().min(1).max(64) }))
    .max(MAX_MEMBERS)
    .nullish(),
});
type GroupBody = z.infer<typeof ZGroupBody>;

function parseGroup(body: unknown): GroupBody {
  const parsed = ZGroupBody.safeParse(body);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "body";
    throw new ScimError(
      400,
      field === "displayName"
        ? "displayName is required (1–80 characters): it becomes the team's name."
        : `${field} is not valid: members are [{"value": "<user id>"}].`,
      "invalidValue",
    );
  }
  return parsed.data;
}

const teamSelect = (withMembers: boolean) =>
  ({
    id: true,
    name: true,
    scimExternalId: true,
    createdAt: true,
    updatedAt: true,
    memberships: {
      orderBy: { user: { email: "asc" as const } },
      // Entra's existence checks ask for no members: read none.
      take: withMembers ? MAX_MEMBERS : 0,
      select: { user: { select: { id: true, email: true } } },
    },
  }) as const;

type TeamRow = {
  id: string;
  name: string;
  scimExternalId: string | null;
  createdAt: Date;
  updatedAt: Date;
  memberships: { user: { id: string; email: string } }[];
};

const toTeam = (team: TeamRow, withMembers: boolean): ScimTeam => ({
  id: team.id,
  name: team.name,
  externalId: team.scimExternalId,
  createdAt: team.createdAt,
  updatedAt: team.updatedAt,
  members: withMembers ? team.memberships.map((m) => m.user) : null,
});

async function requireTeam(client: Tx | typeof db, orgId: string, teamId: string, withMembers = true) {
  const team = await client.team.findFirst({ where: { id: teamId, orgId }, select: teamSelect(withMembers) });
  if (!team) throw notFound("Group", teamId);
  return toTeam(team, withMembers);
}

/** `excludedAttributes=members` (Entra asks so when it only checks that a group exists). */
const wantsMembers = (query: URLSearchParams) =>
  !(query.get("excludedAttributes") ?? "").split(",").some((a) => a.trim().toLowerCase() === "members");

export async function listGroups(orgId: string, query: URLSearchParams) {
  const filter = parseEqualityFilter(query.get("filter"), GROUP_FILTERS);
  const { startIndex, count } = pageOf(query, MAX_PAGE);
  const displayName = filter.get("displayname");
  const where = {
    orgId,
    ...(displayName !== undefined ? { name: displayName } : {}),
    ...(filter.has("externalid") ? { scimExternalId: filter.get("externalid") } : {}),
    ...(filter.has("id") ? { id: filter.get("id") } : {}),
  };
  const [total, teams] = await Promise.all([
    db.team.count({ where }),
    count === 0
      ? Promise.resolve([])
      : db.team.findMany({
          where,
          orderBy: { name: "asc" },
          skip: startIndex - 1,
          take: count,
          select: teamSelect(wantsMembers(query)),
        }),
  ]);
  const withMembers = wantsMembers(query);
  return listResponse(
    teams.map((t) => groupResource(toTeam(t, withMembers))),
    total,
    startIndex,
  );
}

export async function getGroup(orgId: string, teamId: string, query: URLSearchParams) {
  return groupResource(await requireTeam(db, orgId, teamId, wantsMembers(query)));
}

/** A free slug from a display name: "Data Science" → data-science, then data-science-2, … */
async function freeSlug(tx: Tx, name: string): Promise<string> {
  let base = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 34)
    .replace(/-+$/, "");
  if (base.length < 2) base = `team-${base}`.replace(/-+$/, "");
  if (RESERVED_SLUGS.has(base)) base = `${base}-team`;
  for (let n = 1; n < 1000; n += 1) {
    const slug = n === 1 ? base : `${base}-${n}`;
    if (!(await tx.team.findUnique({ where: { slug }, select: { id: true } }))) return slug;
  }
  throw new ScimError(409, `Too many teams are named like "${name}".`, "uniqueness");
}

/** Sets the team's members to exactly `wanted` (user ids), each of whom must be an org member. */
async function setMembers(tx: Tx, source: ScimSource, team: { id: string; slug: string }, wanted: string[]) {
  const unique = [...new Set(wanted)];
  const members = await tx.orgMembership.findMany({
    where: { orgId: source.orgId, userId: { in: unique } },
    select: { userId: true, user: { select: { email: true } } },
  });
  if (members.length !== unique.length) {
    const known = new Set(members.map((m) => m.userId));
    const missing = unique.find((id) => !known.has(id));
    throw new ScimError(
      400,
      `User ${missing} is not an active member of this organization: provision them (active) first.`,
      "invalidValue",
    );
  }
  const current = await tx.teamMembership.findMany({
    where: { teamId: team.id },
    select: { id: true, userId: true, role: true, user: { select: { email: true } } },
  });
  const currentIds = new Set(current.map((m) => m.userId));
  const wantedIds = new Set(unique);
  for (const m of current) {
    if (wantedIds.has(m.userId)) continue;
    await tx.teamMembership.delete({ where: { id: m.id } });
    await scimAudit(tx, source, {
      action: "team.member_removed",
      target: { type: "user", id: m.userId, name: m.user.email },
      metadata: { team: team.slug, role: m.role, via: "scim" },
    });
  }
  for (const m of members) {
    if (currentIds.has(m.userId)) continue;
    await tx.teamMembership.create({ data: { teamId: team.id, userId: m.userId, role: "MEMBER" } });
    await scimAudit(tx, source, {
      action: "team.member_added",
      target: { type: "user", id: m.userId, name: m.user.email },
      metadata: { team: team.slug, role: "MEMBER", via: "scim" },
    });
  }
}

export async function createGroup(source: ScimSource, body: unknown) {
  const data = parseGroup(body);
  const teamId = await db.$transaction(async (tx) => {
    await lockRow(tx, "organization", source.orgId);
    if (
      await tx.team.findFirst({
        where: { orgId: source.orgId, name: data.displayName },
        select: { id: true },
      })
    ) {
      throw new ScimError(409, `A group named "${data.displayName}" already exists.`, "uniqueness");
    }
    const slug = await freeSlug(tx, data.displayName);
    const team = await tx.team.create({
      data: { orgId: source.orgId, slug, name: data.displayName, scimExternalId: data.externalId ?? null },
      select: { id: true, slug: true },
    });
    await scimAudit(tx, source, {
      action: "team.created",
      target: { type: "team", id: team.id, name: team.slug },
      metadata: { name: data.displayName, via: "scim" },
    });
    await setMembers(
      tx,
      source,
      team,
      (data.members ?? []).map((m) => m.value),
    );
    return team.id;
  });
  return groupResource(await requireTeam(db, source.orgId, teamId));
}

/** Applies a whole desired Group (PUT, and PATCH once patched). */
async function applyGroup(source: ScimSource, teamId: string, desired: GroupBody, members: string[] | null) {
  await db.$transaction(async (tx) => {
    await lockRow(tx, "organization", source.orgId);
    const team = await tx.team.findFirst({
      where: { id: teamId, orgId: source.orgId },
      select: { id: true, slug: true, name: true, scimExternalId: true },
    });
    if (!team) throw notFound("Group", teamId);
    if (desired.displayName !== team.name) {
      await tx.team.update({ where: { id: team.id }, data: { name: desired.displayName } });
      await scimAudit(tx, source, {
        action: "team.renamed",
        target: { type: "team", id: team.id, name: team.slug },
        metadata: { from: team.name, to: desired.displayName, via: "scim" },
      });
    }
    const externalId = desired.externalId === undefined ? team.scimExternalId : desired.externalId;
    if (externalId !== team.scimExternalId) {
      await tx.team.update({ where: { id: team.id }, data: { scimExternalId: externalId } });
    }
    if (members) await setMembers(tx, source, team, members);
  });
  return groupResource(await requireTeam(db, source.orgId, teamId));
}

/** PUT /Groups/{id}: the whole group; its members list replaces the team's (absent: unchanged). */
export async function replaceGroup(source: ScimSource, teamId: string, body: unknown) {
  const data = parseGroup(body);
  return applyGroup(source, teamId, data, data.members ? data.members.map((m) => m.value) : null);
}

/** PATCH /Groups/{id}: add/remove members, rename, as Entra and Okta send them. */
export async function patchGroup(source: ScimSource, teamId: string, body: unknown) {
  const operations = normalisedOperations(body);
  const current = groupResource(await requireTeam(db, source.orgId, teamId));
  const patched = applyPatch({ ...current, members: current.members ?? [] }, operations);
  const data = parseGroup({
    displayName: patched.displayName,
    externalId: patched.externalId ?? null,
    members: (patched.members ?? []).map((m: { value?: unknown }) => ({ value: m.value })),
  });
  const touchesMembers = operations.some((o) => !o.path || /^members/i.test(o.path));
  return applyGroup(source, teamId, data, touchesMembers ? (data.members ?? []).map((m) => m.value) : null);
}

/** DELETE /Groups/{id}: deletes the team, as the console does, when it holds nothing else. */
export async function deleteGroup(source: ScimSource, teamId: string) {
  await db.$transaction(async (tx) => {
    const team = await tx.team.findFirst({
      where: { id: teamId, orgId: source.orgId },
      select: {
        id: true,
        slug: true,
        _count: { select: { projects: true, serviceAccounts: { where: { deletedAt: null } } } },
      },
    });
    if (!team) throw notFound("Group", teamId);
    if (team._count.projects > 0 || team._count.serviceAccounts > 0) {
      throw new ScimError(
        409,
        `Team ${team.slug} still has ${team._count.projects} project(s) and ${team._count.serviceAccounts} service account(s); move or delete them in Deputy first.`,
      );
    }
    await tx.team.delete({ where: { id: team.id } });
    await scimAudit(tx, source, {
      action: "team.deleted",
      target: { type: "team", id: team.id, name: team.slug },
      metadata: { via: "scim" },
    });
  });
}

// Rule 17 extended over HTTP (issue 16): which service account may manage or read which team,
// member, project, grant and key through the API. Caller × target × operation, each cell's status
// and error code written out (and, for lists, what the caller sees). Refused cells must change
// nothing anywhere and audit nothing; reads must change nothing; allowed changes must be stored and
// audited under the caller's display identity.
import crypto from "node:crypto";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { makeUser } from "./factories";
import { seedManagementWorld, type Caller } from "./management-matrix";
import type { ApiAnswer, CallInit } from "./api-server";

/**
 * Targets: `alpha` is the parent team of the team-scoped callers (and the default team of the
 * org-scoped ones), `beta` another team of their org, `other-org` a team of another org; `-` marks
 * operations that name no team. `delete-team` acts on alpha itself (which holds the callers, so it
 * answers 409 or 403), and on a fresh empty team in place of beta and other-org. Every team holds
 * the projects `open`, `public`, `team`, `restricted` (granted to a person only) and `granted`
 * (restricted, granted to every caller that may be granted it: all four in alpha, the org-scoped
 * ones in beta, none in other-org). Operations that change a project, a grant or a membership act
 * on a fresh one in the target team.
 */
export const TEAM_MATRIX = `
org-admin   -         list-teams             200 ok alpha,beta
org-admin   -         create-team            201 ok
org-admin   -         list-org-members       200 ok
org-admin   alpha     get-team               200 ok
org-admin   alpha     rename-team            200 ok
org-admin   alpha     delete-team            409 conflict
org-admin   alpha     list-members           200 ok
org-admin   alpha     add-member             201 ok
org-admin   alpha     change-member          200 ok
org-admin   alpha     remove-member          204 ok
org-admin   alpha     list-projects          200 ok granted,open,public,team
org-admin   alpha     create-project         201 ok
org-admin   alpha     get-project-open       200 ok
org-admin   alpha     get-project-public     200 ok
org-admin   alpha     get-project-team       200 ok
org-admin   alpha     get-project-restricted 404 not_found
org-admin   alpha     get-project-granted    200 ok
org-admin   alpha     patch-project          200 ok
org-admin   alpha     delete-project         204 ok
org-admin   alpha     list-access            200 ok
org-admin   alpha     grant-person           201 ok
org-admin   alpha     grant-account          201 ok
org-admin   alpha     revoke-grant           204 ok
org-admin   alpha     rename-key             200 ok
org-admin   beta      get-team               200 ok
org-admin   beta      rename-team            200 ok
org-admin   beta      delete-team            204 ok
org-admin   beta      list-members           200 ok
org-admin   beta      add-member             201 ok
org-admin   beta      change-member          200 ok
org-admin   beta      remove-member          204 ok
org-admin   beta      list-projects          200 ok granted,open,public,team
org-admin   beta      create-project         201 ok
org-admin   beta      get-project-open       200 ok
org-admin   beta      get-project-public     200 ok
org-admin   beta      get-project-team       200 ok
org-admin   beta      get-project-restricted 404 not_found
org-admin   beta      get-project-granted    200 ok
org-admin   beta      patch-project          200 ok
org-admin   beta      delete-project         204 ok
org-admin   beta      list-access            200 ok
org-admin   beta      grant-person           201 ok
org-admin   beta      grant-account          201 ok
org-admin   beta      revoke-grant           204 ok
org-admin   beta      rename-key             200 ok
org-admin   other-org get-team               404 not_found
org-admin   other-org rename-team            404 not_found
org-admin   other-org delete-team            404 not_found
org-admin   other-org list-members           404 not_found
org-admin   other-org add-member             404 not_found
org-admin   other-org change-member          404 not_found
org-admin   other-org remove-member          404 not_found
org-admin   other-org list-projects          404 not_found
org-admin   other-org create-project         404 not_found
org-admin   other-org get-project-open       404 not_found
org-admin   other-org get-project-public     404 not_found
org-admin   other-org get-project-team       404 not_found
org-admin   other-org get-project-restricted 404 not_found
org-admin   other-org get-project-granted    404 not_found
org-admin   other-org patch-project          404 not_found
org-admin   other-org delete-project         404 not_found
org-admin   other-org list-access            404 not_found
org-admin   other-org grant-person           404 not_found
org-admin   other-org grant-account          404 not_found
org-admin   other-org revoke-grant           404 not_found
org-admin   other-org rename-key             404 not_found
team-admin  -         list-teams             200 ok alpha
team-admin  -         create-team            403 forbidden
team-admin  -         list-org-members       403 forbidden
team-admin  alpha     get-team               200 ok
team-admin  alpha     rename-team            200 ok
team-admin  alpha     delete-team            403 forbidden
team-admin  alpha     list-members           200 ok
team-admin  alpha     add-member             201 ok
team-admin  alpha     change-member          200 ok
team-admin  alpha     remove-member          204 ok
team-admin  alpha     list-projects          200 ok granted,open,public,team
team-admin  alpha     create-project         201 ok
team-admin  alpha     get-project-open       200 ok
team-admin  alpha     get-project-public     200 ok
team-admin  alpha     get-project-team       200 ok
team-admin  alpha     get-project-restricted 404 not_found
team-admin  alpha     get-project-granted    200 ok
team-admin  alpha     patch-project          200 ok
team-admin  alpha     delete-project         204 ok
team-admin  alpha     list-access            200 ok
team-admin  alpha     grant-person           201 ok
team-admin  alpha     grant-account          201 ok
team-admin  alpha     revoke-grant           204 ok
team-admin  alpha     rename-key             200 ok
team-admin  beta      get-team               404 not_found
team-admin  beta      rename-team            404 not_found
team-admin  beta      delete-team            404 not_found
team-admin  beta      list-members           404 not_found
team-admin  beta      add-member             404 not_found
team-admin  beta      change-member          404 not_found
team-admin  beta      remove-member          404 not_found
team-admin  beta      list-projects          200 ok open,public
team-admin  beta      create-project         404 not_found
team-admin  beta      get-project-open       200 ok
team-admin  beta      get-project-public     200 ok
team-admin  beta      get-project-team       404 not_found
team-admin  beta      get-project-restricted 404 not_found
team-admin  beta      get-project-granted    404 not_found
team-admin  beta      patch-project          404 not_found
team-admin  beta      delete-project         404 not_found
team-admin  beta      list-access            404 not_found
team-admin  beta      grant-person           404 not_found
team-admin  beta      grant-account          404 not_found
team-admin  beta      revoke-grant           404 not_found
team-admin  beta      rename-key             404 not_found
team-admin  other-org get-team               404 not_found
team-admin  other-org rename-team            404 not_found
team-admin  other-org delete-team            404 not_found
team-admin  other-org list-members           404 not_found
team-admin  other-org add-member             404 not_found
team-admin  other-org change-member          404 not_found
team-admin  other-org remove-member          404 not_found
team-admin  other-org list-projects          404 not_found
team-admin  other-org create-project         404 not_found
team-admin  other-org get-project-open       404 not_found
team-admin  other-org get-project-public     404 not_found
team-admin  other-org get-project-team       404 not_found
team-admin  other-org get-project-restricted 404 not_found
team-admin  other-org get-project-granted    404 not_found
team-admin  other-org patch-project          404 not_found
team-admin  other-org delete-project         404 not_found
team-admin  other-org list-access            404 not_found
team-admin  other-org grant-person           404 not_found
team-admin  other-org grant-account          404 not_found
team-admin  other-org revoke-grant           404 not_found
team-admin  other-org rename-key             404 not_found
org-member  -         list-teams             403 forbidden
org-member  -         create-team            403 forbidden
org-member  -         list-org-members       403 forbidden
org-member  alpha     get-team               403 forbidden
org-member  alpha     rename-team            403 forbidden
org-member  alpha     delete-team            403 forbidden
org-member  alpha     list-members           403 forbidden
org-member  alpha     add-member             403 forbidden
org-member  alpha     change-member          403 forbidden
org-member  alpha     remove-member          403 forbidden
org-member  alpha     list-projects          200 ok granted,open,public,team
org-member  alpha     create-project         403 forbidden
org-member  alpha     get-project-open       200 ok
org-member  alpha     get-project-public     200 ok
org-member  alpha     get-project-team       200 ok
org-member  alpha     get-project-restricted 404 not_found
org-member  alpha     get-project-granted    200 ok
org-member  alpha     patch-project          403 forbidden
org-member  alpha     delete-project         403 forbidden
org-member  alpha     list-access            403 forbidden
org-member  alpha     grant-person           403 forbidden
org-member  alpha     grant-account          403 forbidden
org-member  alpha     revoke-grant           403 forbidden
org-member  alpha     rename-key             403 forbidden
org-member  beta      get-team               403 forbidden
org-member  beta      rename-team            403 forbidden
org-member  beta      delete-team            403 forbidden
org-member  beta      list-members           403 forbidden
org-member  beta      add-member             403 forbidden
org-member  beta      change-member          403 forbidden
org-member  beta      remove-member          403 forbidden
org-member  beta      list-projects          200 ok granted,open,public,team
org-member  beta      create-project         403 forbidden
org-member  beta      get-project-open       200 ok
org-member  beta      get-project-public     200 ok
org-member  beta      get-project-team       200 ok
org-member  beta      get-project-restricted 404 not_found
org-member  beta      get-project-granted    200 ok
org-member  beta      patch-project          403 forbidden
org-member  beta      delete-project         403 forbidden
org-member  beta      list-access            403 forbidden
org-member  beta      grant-person           403 forbidden
org-member  beta      grant-account          403 forbidden
org-member  beta      revoke-grant           403 forbidden
org-member  beta      rename-key             403 forbidden
org-member  other-org get-team               403 forbidden
org-member  other-org rename-team            403 forbidden
org-member  other-org delete-team            403 forbidden
org-member  other-org list-members           403 forbidden
org-member  other-org add-member             403 forbidden
org-member  other-org change-member          403 forbidden
org-member  other-org remove-member          403 forbidden
org-member  other-org list-projects          404 not_found
org-member  other-org create-project         403 forbidden
org-member  other-org get-project-open       404 not_found
org-member  other-org get-project-public     404 not_found
org-member  other-org get-project-team       404 not_found
org-member  other-org get-project-restricted 404 not_found
org-member  other-org get-project-granted    404 not_found
org-member  other-org patch-project          403 forbidden
org-member  other-org delete-project         403 forbidden
org-member  other-org list-access            403 forbidden
org-member  other-org grant-person           403 forbidden
org-member  other-org grant-account          403 forbidden
org-member  other-org revoke-grant           403 forbidden
org-member  other-org rename-key             403 forbidden
team-viewer -         list-teams             403 forbidden
team-viewer -         create-team            403 forbidden
team-viewer -         list-org-members       403 forbidden
team-viewer alpha     get-team               403 forbidden
team-viewer alpha     rename-team            403 forbidden
team-viewer alpha     delete-team            403 forbidden
team-viewer alpha     list-members           403 forbidden
team-viewer alpha     add-member             403 forbidden
team-viewer alpha     change-member          403 forbidden
team-viewer alpha     remove-member          403 forbidden
team-viewer alpha     list-projects          200 ok granted,open,public,team
team-viewer alpha     create-project         403 forbidden
team-viewer alpha     get-project-open       200 ok
team-viewer alpha     get-project-public     200 ok
team-viewer alpha     get-project-team       200 ok
team-viewer alpha     get-project-restricted 404 not_found
team-viewer alpha     get-project-granted    200 ok
team-viewer alpha     patch-project          403 forbidden
team-viewer alpha     delete-project         403 forbidden
team-viewer alpha     list-access            403 forbidden
team-viewer alpha     grant-person           403 forbidden
team-viewer alpha     grant-account          403 forbidden
team-viewer alpha     revoke-grant           403 forbidden
team-viewer alpha     rename-key             403 forbidden
team-viewer beta      get-team               403 forbidden
team-viewer beta      rename-team            403 forbidden
team-viewer beta      delete-team            403 forbidden
team-viewer beta      list-members           403 forbidden
team-viewer beta      add-member             403 forbidden
team-viewer beta      change-member          403 forbidden
team-viewer beta      remove-member          403 forbidden
team-viewer beta      list-projects          200 ok open,public
team-viewer beta      create-project         403 forbidden
team-viewer beta      get-project-open       200 ok
team-viewer beta      get-project-public     200 ok
team-viewer beta      get-project-team       404 not_found
team-viewer beta      get-project-restricted 404 not_found
team-viewer beta      get-project-granted    404 not_found
team-viewer beta      patch-project          403 forbidden
team-viewer beta      delete-project         403 forbidden
team-viewer beta      list-access            403 forbidden
team-viewer beta      grant-person           403 forbidden
team-viewer beta      grant-account          403 forbidden
team-viewer beta      revoke-grant           403 forbidden
team-viewer beta      rename-key             403 forbidden
team-viewer other-org get-team               403 forbidden
team-viewer other-org rename-team            403 forbidden
team-viewer other-org delete-team            403 forbidden
team-viewer other-org list-members           403 forbidden
team-viewer other-org add-member             403 forbidden
team-viewer other-org change-member          403 forbidden
team-viewer other-org remove-member          403 forbidden
team-viewer other-org list-projects          404 not_found
team-viewer other-org create-project         403 forbidden
team-viewer other-org get-project-open       404 not_found
team-viewer other-org get-project-public     404 not_found
team-viewer other-org get-project-team       404 not_found
team-viewer other-org get-project-restricted 404 not_found
team-viewer other-org get-project-granted    404 not_found
team-viewer other-org patch-project          403 forbidden
team-viewer other-org delete-project         403 forbidden
team-viewer other-org list-access            403 forbidden
team-viewer other-org grant-person           403 forbidden
team-viewer other-org grant-account          403 forbidden
team-viewer other-org revoke-grant           403 forbidden
team-viewer other-org rename-key             403 forbidden
`;

export type TeamTarget = "alpha" | "beta" | "other-org" | "-";
type Place = Exclude<TeamTarget, "-">;

export type TeamCell = {
  caller: Caller;
  target: TeamTarget;
  op: string;
  status: number;
  code: string;
  /** For lists: the team symbols or project names the answer holds, sorted. */
  sees?: string[];
};

export function teamCells(): TeamCell[] {
  return TEAM_MATRIX.trim()
    .split("\n")
    .map((line) => {
      const [caller, target, op, status, code, sees] = line.trim().split(/\s+/) as [
        Caller,
        TeamTarget,
        string,
        string,
        string,
        string | undefined,
      ];
      return {
        caller,
        target,
        op,
        status: Number(status),
        code,
        ...(sees === undefined ? {} : { sees: sees.split(",") }),
      };
    });
}

const unique = () => crypto.randomBytes(3).toString("hex");

const SEEDED_PROJECTS = {
  open: "OPEN",
  public: "PUBLIC",
  team: "TEAM",
  restricted: "RESTRICTED",
  granted: "RESTRICTED",
} as const;

/**
 * The management world (an org with teams alpha and beta, the four calling accounts, another
 * org), plus in each target team the seeded projects and a team-scoped account holding one key
 * (`keys-<target>`), and in each org an org-scoped account `grantee` to grant.
 */
export async function seedTeamWorld() {
  const base = await seedManagementWorld();
  const { world, elsewhere, callers } = base;
  const places = {
    alpha: { org: world, team: world.alpha },
    beta: { org: world, team: world.beta },
    "other-org": { org: elsewhere, team: elsewhere.alpha },
  } satisfies Record<Place, unknown>;
  const grantedTo: Record<Place, Caller[]> = {
    alpha: ["org-admin", "team-admin", "org-member", "team-viewer"],
    beta: ["org-admin", "org-member"],
    "other-org": [],
  };
  const keyHolders = {} as Record<Place, { id: string; keyId: string }>;
  for (const place of Object.keys(places) as Place[]) {
    const { org, team } = places[place];
    for (const [name, visibility] of Object.entries(SEEDED_PROJECTS)) {
      const project = await db.project.create({ data: { teamId: team.id, name, visibility } });
      if (name === "restricted") {
        await db.projectAccess.create({ data: { projectId: project.id, userId: org.people.orgMember.id } });
      }
      if (name === "granted") {
        await db.projectAccess.createMany({
          data: grantedTo[place].map((c) => ({ projectId: project.id, serviceAccountId: callers[c].id })),
        });
      }
    }
    const { id } = await createServiceAccountFromForm(
      org.as.orgAdmin,
      { teamSlug: team.slug },
      { name: `keys-${place}` },
    );
    const key = await createApiKeyFromForm(org.as.orgAdmin, id, { name: "held" });
    keyHolders[place] = { id, keyId: key.id };
  }
  for (const org of [world, elsewhere]) {
    await createServiceAccountFromForm(
      org.as.orgAdmin,
      { orgSlug: org.org.slug },
      { name: "grantee", defaultTeam: org.beta.slug },
    );
  }
  return { ...base, places, keyHolders };
}

export type TeamWorld = Awaited<ReturnType<typeof seedTeamWorld>>;

/** Everything a call could change in either org, as a string to compare (no last-used times). */
export async function teamWorldSnapshot(w: TeamWorld) {
  const orgIds = [w.world.org.id, w.elsewhere.org.id];
  const inOrgs = { orgId: { in: orgIds } };
  const rows = await Promise.all([
    db.team.findMany({ where: inOrgs, orderBy: { id: "asc" }, select: { id: true, slug: true, name: true } }),
    db.orgMembership.findMany({
      where: inOrgs,
      orderBy: { id: "asc" },
      select: { orgId: true, userId: true, role: true },
    }),
    db.teamMembership.findMany({
      where: { team: inOrgs },
      orderBy: { id: "asc" },
      select: { teamId: true, userId: true, role: true },
    }),
    db.project.findMany({
      where: { team: inOrgs },
      orderBy: { id: "asc" },
      select: { id: true, teamId: true, name: true, visibility: true, description: true },
    }),
    db.projectAccess.findMany({
      where: { project: { team: inOrgs } },
      orderBy: { id: "asc" },
      select: { projectId: true, userId: true, serviceAccountId: true },
    }),
    db.serviceAccount.findMany({
      where: inOrgs,
      orderBy: { id: "asc" },
      select: {
        id: true,
        name: true,
        description: true,
        role: true,
        status: true,
        teamId: true,
        deletedAt: true,
      },
    }),
    db.apiKey.findMany({
      where: { serviceAccount: inOrgs },
      orderBy: { id: "asc" },
      select: { id: true, name: true, revokedAt: true },
    }),
  ]);
  return JSON.stringify(rows);
}

type PlaceOf = TeamWorld["places"][Place];

/** One cell's call, made ready: a fresh target where the call consumes one, and its checks. */
type Prepared = {
  path: string;
  init?: CallInit;
  /** The audit action of an allowed change; none for reads. */
  action?: string;
  /** When allowed: a problem with the answer or with what was stored, or null. */
  check?: (answer: ApiAnswer) => Promise<string | null>;
  /** For lists: what the answer holds (team symbols or project names). */
  seen?: (answer: ApiAnswer) => string[];
  /** Puts the world back for the next cells, after every check. */
  cleanup?: () => Promise<void>;
};

type Context = { w: TeamWorld; target: Place; place: PlaceOf };

const enc = encodeURIComponent;
const problemIf = (failed: boolean, problem: string) => (failed ? problem : null);

function teamSymbol(w: TeamWorld, slug: string) {
  if (slug === w.world.alpha.slug) return "alpha";
  if (slug === w.world.beta.slug) return "beta";
  if (slug === w.elsewhere.alpha.slug || slug === w.elsewhere.beta.slug) return "other-org";
  return slug;
}

async function freshProject(place: PlaceOf, visibility: "TEAM" | "RESTRICTED") {
  const name = `cell-${unique()}`;
  const project = await db.project.create({ data: { teamId: place.team.id, name, visibility } });
  const cleanup = async () => {
    await db.project.deleteMany({ where: { id: project.id } });
  };
  return { id: project.id, name, cleanup };
}

/** A person of the target's org, not in the target team (or in it, with `teamRole`). */
async function freshPerson(place: PlaceOf, teamRole?: "MEMBER") {
  const user = await makeUser();
  await db.orgMembership.create({ data: { orgId: place.org.org.id, userId: user.id, role: "MEMBER" } });
  if (teamRole)
    await db.teamMembership.create({ data: { teamId: place.team.id, userId: user.id, role: teamRole } });
  return user;
}

const membership = (teamId: string, userId: string) =>
  db.teamMembership.findUnique({ where: { teamId_userId: { teamId, userId } }, select: { role: true } });

function getProject(name: keyof typeof SEEDED_PROJECTS) {
  return async ({ place }: Context): Promise<Prepared> => ({
    path: `/api/v1/projects/${place.team.slug}/${name}`,
    check: async (answer) => {
      const project = answer.body.project as { team: string; name: string; visibility: string };
      return problemIf(
        project.team !== place.team.slug ||
          project.name !== name ||
          project.visibility !== SEEDED_PROJECTS[name].toLowerCase(),
        `answered ${JSON.stringify(project)}`,
      );
    },
  });
}

const TEAMLESS_OPS: Record<string, (w: TeamWorld) => Promise<Prepared>> = {
  "list-teams": async (w) => ({
    path: "/api/v1/teams",
    seen: (answer) => (answer.body.teams as { slug: string }[]).map((t) => teamSymbol(w, t.slug)),
  }),
  "create-team": async () => {
    const slug = `made-${unique()}`;
    return {
      path: "/api/v1/teams",
      init: { body: { slug, name: "Made by the matrix" } },
      action: "team.created",
      check: async (answer) => {
        const stored = await db.team.findUnique({ where: { slug }, select: { name: true } });
        const team = answer.body.team as { slug: string };
        return problemIf(
          !stored || team.slug !== slug,
          `stored ${JSON.stringify(stored)}, answered ${team.slug}`,
        );
      },
      cleanup: async () => {
        await db.team.deleteMany({ where: { slug } });
      },
    };
  },
  "list-org-members": async (w) => ({
    path: "/api/v1/members",
    check: async (answer) => {
      const listed = (answer.body.members as { email: string }[]).map((m) => m.email);
      const people = await db.orgMembership.findMany({
        where: { orgId: w.world.org.id },
        select: { user: { select: { email: true } } },
      });
      const expected = people.map((p) => p.user.email).sort();
      return problemIf(
        JSON.stringify([...listed].sort()) !== JSON.stringify(expected),
        `listed ${listed.length} people, the org has ${expected.length}`,
      );
    },
  }),
};

const TEAM_OPS: Record<string, (ctx: Context) => Promise<Prepared>> = {
  "get-team": async ({ place }) => ({
    path: `/api/v1/teams/${place.team.slug}`,
    check: async (answer) =>
      problemIf((answer.body.team as { slug: string }).slug !== place.team.slug, "answered another team"),
  }),
  "rename-team": async ({ place }) => {
    const name = `Renamed ${unique()}`;
    return {
      path: `/api/v1/teams/${place.team.slug}`,
      init: { method: "PATCH", body: { name } },
      action: "team.renamed",
      check: async (answer) => {
        const stored = await db.team.findUniqueOrThrow({
          where: { id: place.team.id },
          select: { name: true },
        });
        return problemIf(
          stored.name !== name || (answer.body.team as { name: string }).name !== name,
          `stored name ${stored.name}`,
        );
      },
    };
  },
  "delete-team": async ({ w, place }) => {
    const team =
      place.team.id === w.world.alpha.id
        ? place.team
        : await db.team.create({
            data: { orgId: place.org.org.id, slug: `doomed-${unique()}`, name: "Doomed" },
          });
    return {
      path: `/api/v1/teams/${team.slug}`,
      init: { method: "DELETE" },
      action: "team.deleted",
      check: async () =>
        problemIf(
          (await db.team.count({ where: { id: team.id } })) > 0,
          "answered 204 but the team is stored",
        ),
      cleanup: async () => {
        if (team.id !== w.world.alpha.id) await db.team.deleteMany({ where: { id: team.id } });
      },
    };
  },
  "list-members": async ({ place }) => ({
    path: `/api/v1/teams/${place.team.slug}/members`,
    check: async (answer) => {
      const listed = (answer.body.members as { email: string }[]).map((m) => m.email).sort();
      const stored = await db.teamMembership.findMany({
        where: { teamId: place.team.id },
        select: { user: { select: { email: true } } },
      });
      const expected = stored.map((m) => m.user.email).sort();
      return problemIf(JSON.stringify(listed) !== JSON.stringify(expected), `listed ${listed.join(",")}`);
    },
  }),
  "add-member": async ({ place }) => {
    const person = await freshPerson(place);
    return {
      path: `/api/v1/teams/${place.team.slug}/members/${enc(person.email)}`,
      init: { method: "PUT", body: { role: "viewer" } },
      action: "team.member_added",
      check: async (answer) => {
        const stored = await membership(place.team.id, person.id);
        const member = answer.body.member as { email: string; role: string };
        return problemIf(
          stored?.role !== "VIEWER" || member.email !== person.email || member.role !== "viewer",
          `stored ${JSON.stringify(stored)}, answered ${JSON.stringify(member)}`,
        );
      },
    };
  },
  "change-member": async ({ place }) => {
    const person = await freshPerson(place, "MEMBER");
    return {
      path: `/api/v1/teams/${place.team.slug}/members/${enc(person.email)}`,
      init: { method: "PUT", body: { role: "admin" } },
      action: "team.member_role_changed",
      check: async (answer) => {
        const stored = await membership(place.team.id, person.id);
        const member = answer.body.member as { role: string };
        return problemIf(
          stored?.role !== "ADMIN" || member.role !== "admin",
          `stored ${JSON.stringify(stored)}, answered ${member.role}`,
        );
      },
    };
  },
  "remove-member": async ({ place }) => {
    const person = await freshPerson(place, "MEMBER");
    return {
      path: `/api/v1/teams/${place.team.slug}/members/${enc(person.email)}`,
      init: { method: "DELETE" },
      action: "team.member_removed",
      check: async () =>
        problemIf((await membership(place.team.id, person.id)) !== null, "answered 204 but still a member"),
    };
  },
  "list-projects": async ({ place }) => ({
    path: `/api/v1/teams/${place.team.slug}/projects`,
    seen: (answer) => (answer.body.projects as { name: string }[]).map((p) => p.name),
  }),
  "create-project": async ({ place }) => {
    const name = `made-${unique()}`;
    return {
      path: `/api/v1/teams/${place.team.slug}/projects`,
      init: { body: { name, visibility: "open" } },
      action: "project.created",
      check: async (answer) => {
        const stored = await db.project.findUnique({
          where: { teamId_name: { teamId: place.team.id, name } },
          select: { visibility: true },
        });
        const project = answer.body.project as { name: string; team: string; visibility: string };
        return problemIf(
          stored?.visibility !== "OPEN" ||
            project.name !== name ||
            project.team !== place.team.slug ||
            project.visibility !== "open",
          `stored ${JSON.stringify(stored)}, answered ${JSON.stringify(project)}`,
        );
      },
      cleanup: async () => {
        await db.project.deleteMany({ where: { teamId: place.team.id, name } });
      },
    };
  },
  "get-project-open": getProject("open"),
  "get-project-public": getProject("public"),
  "get-project-team": getProject("team"),
  "get-project-restricted": getProject("restricted"),
  "get-project-granted": getProject("granted"),
  "patch-project": async ({ place }) => {
    const project = await freshProject(place, "TEAM");
    return {
      path: `/api/v1/projects/${place.team.slug}/${project.name}`,
      init: { method: "PATCH", body: { visibility: "open" } },
      action: "project.visibility_changed",
      check: async (answer) => {
        const stored = await db.project.findUniqueOrThrow({
          where: { id: project.id },
          select: { visibility: true },
        });
        const visibility = (answer.body.project as { visibility: string }).visibility;
        return problemIf(
          stored.visibility !== "OPEN" || visibility !== "open",
          `stored ${stored.visibility}, answered ${visibility}`,
        );
      },
      cleanup: project.cleanup,
    };
  },
  "delete-project": async ({ place }) => {
    const project = await freshProject(place, "TEAM");
    return {
      path: `/api/v1/projects/${place.team.slug}/${project.name}`,
      init: { method: "DELETE" },
      action: "project.deleted",
      check: async () =>
        problemIf(
          (await db.project.count({ where: { id: project.id } })) > 0,
          "answered 204 but the project is stored",
        ),
      cleanup: project.cleanup,
    };
  },
  "list-access": async ({ place }) => ({
    path: `/api/v1/projects/${place.team.slug}/restricted/access`,
    check: async (answer) => {
      const grants = answer.body.grants as { type: string; identity: string }[];
      const expected = [{ type: "user", identity: place.org.people.orgMember.email }];
      return problemIf(
        JSON.stringify(grants.map((g) => ({ type: g.type, identity: g.identity }))) !==
          JSON.stringify(expected),
        `answered ${JSON.stringify(grants)}`,
      );
    },
  }),
  "grant-person": async ({ place }) => {
    const project = await freshProject(place, "RESTRICTED");
    const person = place.org.people.orgMember;
    return {
      path: `/api/v1/projects/${place.team.slug}/${project.name}/access/${enc(person.email)}`,
      init: { method: "PUT" },
      action: "project.access_granted",
      check: async (answer) => {
        const stored = await db.projectAccess.count({ where: { projectId: project.id, userId: person.id } });
        const grant = answer.body.grant as { type: string; identity: string };
        return problemIf(
          stored !== 1 || grant.type !== "user" || grant.identity !== person.email,
          `stored ${stored}, answered ${JSON.stringify(grant)}`,
        );
      },
      cleanup: project.cleanup,
    };
  },
  "grant-account": async ({ place }) => {
    const project = await freshProject(place, "RESTRICTED");
    const identity = `grantee@${place.org.org.slug}.sa.deputy.local`;
    return {
      path: `/api/v1/projects/${place.team.slug}/${project.name}/access/grantee`,
      init: { method: "PUT" },
      action: "project.access_granted",
      check: async (answer) => {
        const stored = await db.projectAccess.count({
          where: { projectId: project.id, serviceAccount: { name: "grantee", orgId: place.org.org.id } },
        });
        const grant = answer.body.grant as { type: string; identity: string };
        return problemIf(
          stored !== 1 || grant.type !== "service_account" || grant.identity !== identity,
          `stored ${stored}, answered ${JSON.stringify(grant)}`,
        );
      },
      cleanup: project.cleanup,
    };
  },
  "revoke-grant": async ({ place }) => {
    const project = await freshProject(place, "RESTRICTED");
    const person = place.org.people.orgMember;
    await db.projectAccess.create({ data: { projectId: project.id, userId: person.id } });
    return {
      path: `/api/v1/projects/${place.team.slug}/${project.name}/access/${enc(person.email)}`,
      init: { method: "DELETE" },
      action: "project.access_removed",
      check: async () =>
        problemIf(
          (await db.projectAccess.count({ where: { projectId: project.id } })) > 0,
          "answered 204 but the grant is stored",
        ),
      cleanup: project.cleanup,
    };
  },
  "rename-key": async ({ w, target }) => {
    const holder = w.keyHolders[target];
    const name = `renamed-${unique()}`;
    return {
      path: `/api/v1/service-accounts/${holder.id}/keys/${holder.keyId}`,
      init: { method: "PATCH", body: { name } },
      action: "api_key.renamed",
      check: async (answer) => {
        const stored = await db.apiKey.findUniqueOrThrow({
          where: { id: holder.keyId },
          select: { name: true },
        });
        const key = answer.body.key as { name: string };
        return problemIf(
          stored.name !== name || key.name !== name,
          `stored ${stored.name}, answered ${key.name}`,
        );
      },
    };
  },
};

async function auditIds(w: TeamWorld) {
  const rows = await db.auditEvent.findMany({
    where: { orgId: { in: [w.world.org.id, w.elsewhere.org.id] } },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** Runs every cell; returns the cells whose answer, audit or effect differed (empty when all match). */
export async function runTeamMatrix(
  w: TeamWorld,
  call: (path: string, init: CallInit) => Promise<ApiAnswer>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const cell of teamCells()) {
    const label = `${cell.caller} ${cell.target} ${cell.op}`;
    const caller = w.callers[cell.caller];
    const prepared =
      cell.target === "-"
        ? await TEAMLESS_OPS[cell.op]!(w)
        : await TEAM_OPS[cell.op]!({ w, target: cell.target, place: w.places[cell.target] });
    try {
      const before = await teamWorldSnapshot(w);
      const earlier = await auditIds(w);
      let answer: ApiAnswer;
      try {
        answer = await call(prepared.path, { ...prepared.init, key: caller.key });
      } catch (error) {
        // The client checks every answer against openapi.json.
        problems.push(
          `${label}: ${String((error as Error).message)
            .replace(/\s+/g, " ")
            .slice(0, 300)}`,
        );
        continue;
      }
      const code = answer.body.error?.code ?? "ok";
      if (answer.status !== cell.status || code !== cell.code) {
        problems.push(`${label}: expected ${cell.status} ${cell.code}, got ${answer.status} ${code}`);
        continue;
      }
      const events = await db.auditEvent.findMany({
        where: { orgId: { in: [w.world.org.id, w.elsewhere.org.id] }, id: { notIn: earlier } },
        select: { orgId: true, action: true, actorType: true, actorId: true, actorIdentity: true },
      });
      const changed = (await teamWorldSnapshot(w)) !== before;
      if (answer.status >= 400 || !prepared.action) {
        const what = answer.status >= 400 ? "refused" : "a read";
        if (events.length > 0)
          problems.push(`${label}: ${what} but audited ${events.map((e) => e.action).join(", ")}`);
        if (changed) problems.push(`${label}: ${what} but changed the world`);
      } else {
        const audited = events.some(
          (e) =>
            e.action === prepared.action &&
            e.orgId === w.world.org.id &&
            e.actorType === "SERVICE_ACCOUNT" &&
            e.actorId === caller.id &&
            e.actorIdentity === caller.identity,
        );
        if (!audited) problems.push(`${label}: no ${prepared.action} event under ${caller.identity}`);
      }
      if (answer.status < 300) {
        const problem = await prepared.check?.(answer);
        if (problem) problems.push(`${label}: ${problem}`);
      }
      if (cell.sees || prepared.seen) {
        const seen = answer.status < 300 && prepared.seen ? [...prepared.seen(answer)].sort() : [];
        if (JSON.stringify(seen) !== JSON.stringify(cell.sees ?? []))
          problems.push(
            `${label}: expected to see ${cell.sees?.join(",") ?? "nothing"}, saw ${seen.join(",")}`,
          );
      }
    } finally {
      await prepared.cleanup?.();
    }
  }
  return problems;
}

// Teams, team members and the org's people over the API (SPEC §4, issue 16; projects and their
// grants are project-routes.ts): thin doors onto the same domain functions the console calls, which authorise the calling
// account (rule 17 extended: lib/authz/management.ts) and audit under its display identity.
import { z } from "zod";
import { ZDisplayName, ZEmail, ZSlug } from "@/lib/validation/slug";
import {
  createTeam,
  deleteTeam,
  getTeam,
  listTeamMembers,
  listTeams,
  removeTeamMember,
  renameTeam,
  setTeamMember,
} from "@/lib/teams/data";
import { listOrgMembers } from "@/lib/orgs/members";
import { defineRoute } from "./router";

export const lower = <T extends string>(value: T) => value.toLowerCase() as Lowercase<T>;
const ZRole = z
  .string()
  .max(16)
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(["ADMIN", "MEMBER", "VIEWER"], { message: "use admin, member or viewer" }));
// Answers.
export const ZTeam = z
  .object({
    slug: z.string(),
    name: z.string(),
    members: z.number().int(),
    projects: z.number().int(),
    serviceAccounts: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: "Team" });
export const ZTeamMember = z
  .object({ email: z.string(), name: z.string(), role: z.enum(["admin", "member", "viewer"]) })
  .meta({ id: "TeamMember" });
export const ZOrgMember = z
  .object({
    email: z.string(),
    name: z.string(),
    role: z.enum(["admin", "member"]),
    teams: z.array(z.object({ team: z.string(), role: z.enum(["admin", "member", "viewer"]) })),
  })
  .meta({ id: "OrgMember" });

type TeamRow = Awaited<ReturnType<typeof getTeam>>;
const teamAnswer = (t: TeamRow): z.infer<typeof ZTeam> => ({
  slug: t.slug,
  name: t.name,
  members: t.members,
  projects: t.projects,
  serviceAccounts: t.serviceAccounts,
  createdAt: t.createdAt.toISOString(),
});
// Params and bodies: unknown fields refused, strings bounded, slugs and names validated.
export const ZTeamParams = z.object({ team: ZSlug });
const ZMemberParams = z.object({ team: ZSlug, email: ZEmail });
export const listTeamsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/teams",
  operationId: "listTeams",
  summary: "The teams the caller manages: every team of the org (org scope), or its own team (team scope).",
  access: "admin",
  responses: { 200: { description: "The teams", schema: z.object({ teams: z.array(ZTeam) }) } },
  errors: ["forbidden"],
  handle: async ({ principal }) => ({
    status: 200,
    body: { teams: (await listTeams(principal)).map(teamAnswer) },
  }),
});

export const createTeamRoute = defineRoute({
  method: "POST",
  path: "/api/v1/teams",
  operationId: "createTeam",
  summary: "Create a team (org-scoped ADMIN accounts only). The slug is unique across the instance.",
  access: "admin",
  body: z.object({ slug: ZSlug, name: ZDisplayName }).strict(),
  bodyName: "team",
  responses: { 201: { description: "The team was created", schema: z.object({ team: ZTeam }) } },
  errors: ["invalid_request", "forbidden", "conflict"],
  handle: async ({ principal, body }) => {
    const { slug } = await createTeam(principal, undefined, body);
    return { status: 201, body: { team: teamAnswer(await getTeam(principal, slug)) } };
  },
});

export const getTeamRoute = defineRoute({
  method: "GET",
  path: "/api/v1/teams/{team}",
  operationId: "getTeam",
  summary: "One team. Another team of a team-scoped account, or another org's, is 404.",
  access: "admin",
  params: ZTeamParams,
  responses: { 200: { description: "The team", schema: z.object({ team: ZTeam }) } },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: { team: teamAnswer(await getTeam(principal, params.team)) },
  }),
});

export const renameTeamRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/teams/{team}",
  operationId: "renameTeam",
  summary: "Rename a team (its display name; the slug stays, it is in every URL).",
  access: "admin",
  params: ZTeamParams,
  body: z.object({ name: ZDisplayName }).strict(),
  bodyName: "change",
  responses: { 200: { description: "The team after the change", schema: z.object({ team: ZTeam }) } },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params, body }) => {
    await renameTeam(principal, undefined, { team: params.team, name: body.name });
    return { status: 200, body: { team: teamAnswer(await getTeam(principal, params.team)) } };
  },
});

export const deleteTeamRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/teams/{team}",
  operationId: "deleteTeam",
  summary:
    "Delete a team without projects and live service accounts (409 otherwise); org-scoped ADMIN accounts only.",
  access: "admin",
  params: ZTeamParams,
  responses: { 204: { description: "Deleted" } },
  errors: ["invalid_request", "forbidden", "not_found", "conflict"],
  handle: async ({ principal, params }) => {
    await deleteTeam(principal, undefined, { team: params.team });
    return { status: 204 };
  },
});

export const listTeamMembersRoute = defineRoute({
  method: "GET",
  path: "/api/v1/teams/{team}/members",
  operationId: "listTeamMembers",
  summary: "The team's people and their roles.",
  access: "admin",
  params: ZTeamParams,
  responses: {
    200: { description: "The members", schema: z.object({ members: z.array(ZTeamMember) }) },
  },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: {
      members: (await listTeamMembers(principal, params.team)).map((m) => ({
        email: m.email,
        name: m.name,
        role: lower(m.role),
      })),
    },
  }),
});

async function memberAnswer(principal: Parameters<typeof listTeamMembers>[0], team: string, email: string) {
  const member = (await listTeamMembers(principal, team)).find((m) => m.email === email)!;
  return { member: { email: member.email, name: member.name, role: lower(member.role) } };
}

export const setTeamMemberRoute = defineRoute({
  method: "PUT",
  path: "/api/v1/teams/{team}/members/{email}",
  operationId: "setTeamMember",
  summary:
    "Add a person of the organization to the team with a role (member when none is given), or change their role (201 when added, 200 otherwise; without a role an existing member keeps theirs). People who are not in the organization are refused.",
  access: "admin",
  params: ZMemberParams,
  body: z.object({ role: ZRole.optional() }).strict(),
  bodyName: "membership",
  responses: {
    200: { description: "The role was set", schema: z.object({ member: ZTeamMember }) },
    201: { description: "The person was added", schema: z.object({ member: ZTeamMember }) },
  },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params, body }) => {
    const { created } = await setTeamMember(principal, params.team, {
      email: params.email,
      role: body.role,
    });
    return { status: created ? 201 : 200, body: await memberAnswer(principal, params.team, params.email) };
  },
});

export const removeTeamMemberRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/teams/{team}/members/{email}",
  operationId: "removeTeamMember",
  summary: "Remove a person from the team (they stay in the organization).",
  access: "admin",
  params: ZMemberParams,
  responses: { 204: { description: "Removed" } },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params }) => {
    await removeTeamMember(principal, params.team, { email: params.email });
    return { status: 204 };
  },
});

export const listOrgMembersRoute = defineRoute({
  method: "GET",
  path: "/api/v1/members",
  operationId: "listOrgMembers",
  summary:
    "The organization's people, read-only (people are managed in the console or by SCIM); org-scoped ADMIN accounts only.",
  access: "admin",
  responses: { 200: { description: "The people", schema: z.object({ members: z.array(ZOrgMember) }) } },
  errors: ["forbidden"],
  handle: async ({ principal }) => ({
    status: 200,
    body: {
      members: (await listOrgMembers(principal)).map((m) => ({
        email: m.email,
        name: m.name,
        role: lower(m.role),
        teams: m.teams.map((t) => ({ team: t.slug, role: lower(t.role) })),
      })),
    },
  }),
});

export const TEAM_ROUTES = [
  listTeamsRoute,
  createTeamRoute,
  getTeamRoute,
  renameTeamRoute,
  deleteTeamRoute,
  listTeamMembersRoute,
  setTeamMemberRoute,
  removeTeamMemberRoute,
  listOrgMembersRoute,
];

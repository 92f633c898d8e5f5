// Teams, team members, projects, project access and the org's people over the API (SPEC §4, issue
// 16): thin doors onto the same domain functions the console calls, which authorise the calling
// account (rule 17 extended: lib/authz/management.ts) and audit under its display identity.
import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { ZDisplayName, ZEmail, ZSlug } from "@/lib/validation/slug";
import { ZProjectName } from "@/lib/projects/schemas";
import { VISIBILITIES } from "@/lib/projects/visibility";
import { config } from "@/lib/config/env";
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
import {
  createProject,
  deleteProject,
  getProject,
  grantProjectAccess,
  listProjectAccess,
  listProjects,
  revokeProjectAccess,
  updateProject,
} from "@/lib/projects/data";
import { listOrgMembers } from "@/lib/orgs/members";
import { updateKey } from "@/lib/keys/lifecycle";
import { defineRoute } from "./router";
import { ZKeyPathParams, apiKeyAnswer, ZApiKey } from "./management-schemas";

const lower = <T extends string>(value: T) => value.toLowerCase() as Lowercase<T>;
const ZRole = z
  .string()
  .max(16)
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(["ADMIN", "MEMBER", "VIEWER"], { message: "use admin, member or viewer" }));
const ZVisibilityIn = z
  .string()
  .max(16)
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(VISIBILITIES, { message: "use open, public, team or restricted" }));
const ZVisibilityOut = z.enum(["open", "public", "team", "restricted"]);

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
export const ZProject = z
  .object({
    team: z.string(),
    name: z.string(),
    visibility: ZVisibilityOut,
    description: z.string(),
    createdAt: z.string(),
    runs: z.number().int(),
  })
  .meta({ id: "Project" });
export const ZGrant = z
  .object({
    type: z.enum(["user", "service_account"]),
    identity: z.string().describe("The person's email, or the account's display identity."),
    grantedAt: z.string(),
  })
  .meta({ id: "ProjectGrant" });
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
type ProjectRow = Awaited<ReturnType<typeof listProjects>>[number];
const projectAnswer = (team: string, p: ProjectRow): z.infer<typeof ZProject> => ({
  team,
  name: p.name,
  visibility: lower(p.visibility),
  description: p.description,
  createdAt: p.createdAt.toISOString(),
  runs: p.runs,
});

// Params and bodies: unknown fields refused, strings bounded, slugs and names validated.
const ZTeamParams = z.object({ team: ZSlug });
const ZMemberParams = z.object({ team: ZSlug, email: ZEmail });
const ZProjectParams = z.object({ team: ZSlug, project: ZProjectName });
const ZGranteeRef = zText().trim().min(1).max(320);
const ZGrantParams = z.object({ team: ZSlug, project: ZProjectName, principal: ZGranteeRef });

/**
 * Whom a grant path names: a person by email, a service account by name or display identity
 * (`<name>@<org>.sa.<domain>`, which contains an @ too).
 */
function grantee(ref: string): { email: string } | { serviceAccount: string } {
  const suffix = `.sa.${config().saDomain}`;
  const at = ref.lastIndexOf("@");
  if (at > 0 && ref.endsWith(suffix)) return { serviceAccount: ref.slice(0, at) };
  return ref.includes("@") ? { email: ref.toLowerCase() } : { serviceAccount: ref };
}

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
    "Add a person of the organization to the team with a role, or change their role (201 when added, 200 when changed). People who are not in the organization are refused.",
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
      role: body.role ?? "MEMBER",
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

export const listTeamProjectsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/teams/{team}/projects",
  operationId: "listTeamProjects",
  summary: "The team's projects the caller may read (rules 3–6).",
  access: "credential",
  params: ZTeamParams,
  responses: { 200: { description: "The projects", schema: z.object({ projects: z.array(ZProject) }) } },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: {
      projects: (await listProjects(principal, params.team)).map((p) => projectAnswer(params.team, p)),
    },
  }),
});

export const createProjectRoute = defineRoute({
  method: "POST",
  path: "/api/v1/teams/{team}/projects",
  operationId: "createProject",
  summary:
    "Create a project (visibility defaults to team). The creator of a restricted project is granted access to it.",
  access: "admin",
  params: ZTeamParams,
  body: z
    .object({
      name: ZProjectName,
      visibility: ZVisibilityIn.optional(),
      description: zText().trim().max(500).optional(),
    })
    .strict(),
  bodyName: "project",
  responses: { 201: { description: "The project was created", schema: z.object({ project: ZProject }) } },
  errors: ["invalid_request", "forbidden", "not_found", "conflict"],
  handle: async ({ principal, params, body }) => {
    const { name } = await createProject(principal, params.team, body);
    return {
      status: 201,
      body: { project: projectAnswer(params.team, await getProject(principal, params.team, name)) },
    };
  },
});

export const getProjectRoute = defineRoute({
  method: "GET",
  path: "/api/v1/projects/{team}/{project}",
  operationId: "getProject",
  summary: "One project the caller may read; any other is 404.",
  access: "credential",
  params: ZProjectParams,
  responses: { 200: { description: "The project", schema: z.object({ project: ZProject }) } },
  errors: ["invalid_request", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: { project: projectAnswer(params.team, await getProject(principal, params.team, params.project)) },
  }),
});

export const updateProjectRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/projects/{team}/{project}",
  operationId: "updateProject",
  summary: "Change a project's visibility or description.",
  access: "admin",
  params: ZProjectParams,
  body: z
    .object({ visibility: ZVisibilityIn.optional(), description: zText().trim().max(500).optional() })
    .strict(),
  bodyName: "change",
  responses: {
    200: { description: "The project after the change", schema: z.object({ project: ZProject }) },
  },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params, body }) => {
    await updateProject(principal, params.team, { project: params.project, ...body });
    return {
      status: 200,
      body: { project: projectAnswer(params.team, await getProject(principal, params.team, params.project)) },
    };
  },
});

export const deleteProjectRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/projects/{team}/{project}",
  operationId: "deleteProject",
  summary: "Delete a project that holds no runs (409 otherwise: runs are data).",
  access: "admin",
  params: ZProjectParams,
  responses: { 204: { description: "Deleted" } },
  errors: ["invalid_request", "forbidden", "not_found", "conflict"],
  handle: async ({ principal, params }) => {
    await deleteProject(principal, params.team, { project: params.project });
    return { status: 204 };
  },
});

const grantAnswer = (g: { type: "user" | "service_account"; identity: string; grantedAt: Date }) => ({
  type: g.type,
  identity: g.identity,
  grantedAt: g.grantedAt.toISOString(),
});

export const listProjectAccessRoute = defineRoute({
  method: "GET",
  path: "/api/v1/projects/{team}/{project}/access",
  operationId: "listProjectAccess",
  summary: "The explicit grants of a restricted project.",
  access: "admin",
  params: ZProjectParams,
  responses: { 200: { description: "The grants", schema: z.object({ grants: z.array(ZGrant) }) } },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params }) => ({
    status: 200,
    body: {
      grants: (await listProjectAccess(principal, params.team, params.project)).grants.map(grantAnswer),
    },
  }),
});

export const grantProjectAccessRoute = defineRoute({
  method: "PUT",
  path: "/api/v1/projects/{team}/{project}/access/{principal}",
  operationId: "grantProjectAccess",
  summary:
    "Add a person (email) or a service account (name or display identity) to a restricted project: the step the seeds ask a project admin to do by hand. A team-scoped account of another team is refused (rule 4). 409 when already granted.",
  access: "admin",
  params: ZGrantParams,
  responses: { 201: { description: "Granted", schema: z.object({ grant: ZGrant }) } },
  errors: ["invalid_request", "forbidden", "not_found", "conflict"],
  handle: async ({ principal, params }) => {
    const grant = await grantProjectAccess(principal, params.team, {
      project: params.project,
      ...grantee(params.principal),
    });
    return { status: 201, body: { grant: grantAnswer(grant) } };
  },
});

export const revokeProjectAccessRoute = defineRoute({
  method: "DELETE",
  path: "/api/v1/projects/{team}/{project}/access/{principal}",
  operationId: "revokeProjectAccess",
  summary: "Remove a person's or a service account's grant of a restricted project.",
  access: "admin",
  params: ZGrantParams,
  responses: { 204: { description: "Removed" } },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params }) => {
    await revokeProjectAccess(principal, params.team, {
      project: params.project,
      ...grantee(params.principal),
    });
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

export const updateKeyRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/service-accounts/{account}/keys/{keyId}",
  operationId: "updateKey",
  summary: "Rename a key (restrictions come with rule 24).",
  access: "admin",
  params: ZKeyPathParams,
  body: z.object({ name: zText().trim().min(1).max(64).optional() }).strict(),
  bodyName: "change",
  responses: { 200: { description: "The key after the change", schema: z.object({ key: ZApiKey }) } },
  errors: ["invalid_request", "forbidden", "not_found"],
  handle: async ({ principal, params, body }) => ({
    status: 200,
    body: { key: apiKeyAnswer(await updateKey(principal, params.account, params.keyId, body)) },
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
  listTeamProjectsRoute,
  createProjectRoute,
  getProjectRoute,
  updateProjectRoute,
  deleteProjectRoute,
  listProjectAccessRoute,
  grantProjectAccessRoute,
  revokeProjectAccessRoute,
  listOrgMembersRoute,
  updateKeyRoute,
];

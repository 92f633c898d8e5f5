// Projects and the explicit grants of restricted projects over the API (SPEC §4, issue 16): thin
// doors onto the same domain functions the console calls (lib/projects), which authorise the
// calling account (rule 17 extended) and audit under its display identity. Reads follow rules 3–6.
import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { ZSlug } from "@/lib/validation/slug";
import { ZProjectName } from "@/lib/projects/schemas";
import { VISIBILITIES } from "@/lib/projects/visibility";
import { parseServiceAccountIdentity } from "@/lib/service-accounts/identity";
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
import { defineRoute } from "./router";
import { lower, ZTeamParams } from "./team-routes";

const ZVisibilityIn = z
  .string()
  .max(16)
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(VISIBILITIES, { message: "use open, public, team or restricted" }));
const ZVisibilityOut = z.enum(["open", "public", "team", "restricted"]);

// Answers.
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
type ProjectRow = Awaited<ReturnType<typeof listProjects>>[number];
const projectAnswer = (team: string, p: ProjectRow): z.infer<typeof ZProject> => ({
  team,
  name: p.name,
  visibility: lower(p.visibility),
  description: p.description,
  createdAt: p.createdAt.toISOString(),
  runs: p.runs,
});

// Params: names validated, strings bounded.
const ZProjectParams = z.object({ team: ZSlug, project: ZProjectName });
const ZGranteeRef = zText().trim().min(1).max(320);
const ZGrantParams = z.object({ team: ZSlug, project: ZProjectName, principal: ZGranteeRef });

/**
 * Whom a grant path names: a person by email, a service account by name or display identity
 * (`<name>@<org>.sa.<domain>`, which contains an @ too).
 */
function grantee(ref: string): { email: string } | { serviceAccount: string } {
  const identity = parseServiceAccountIdentity(ref);
  if (identity) return { serviceAccount: identity.name };
  return ref.includes("@") ? { email: ref.toLowerCase() } : { serviceAccount: ref };
}

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

export const PROJECT_ROUTES = [
  listTeamProjectsRoute,
  createProjectRoute,
  getProjectRoute,
  updateProjectRoute,
  deleteProjectRoute,
  listProjectAccessRoute,
  grantProjectAccessRoute,
  revokeProjectAccessRoute,
];

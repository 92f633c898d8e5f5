// /api/v1 runs (SPEC §4): thin declarations over the runs domain (lib/runs/).
import { createRun, listRuns } from "@/lib/runs/runs";
import { ZCreateRunInput } from "@/lib/runs/schemas";
import { defineRoute } from "./router";
import { ZCreateRunAnswer, ZListRunsAnswer, ZListRunsQuery, ZRunsPathParams } from "./schemas";

export const createRunRoute = defineRoute({
  method: "POST",
  path: "/api/v1/runs",
  operationId: "createRun",
  summary:
    "Write a run. A project missing from the account's own team is created there (visibility TEAM, audited).",
  access: "credential",
  body: ZCreateRunInput,
  bodyName: "run",
  responses: { 201: { description: "The run was stored", schema: ZCreateRunAnswer } },
  errors: [
    "invalid_request",
    "forbidden",
    "restricted_project",
    "cross_team_write_denied",
    "read_only_role",
    "scope_denied",
    "not_found",
    "conflict",
  ],
  handle: async ({ principal, body }) => ({ status: 201, body: await createRun(principal, body) }),
});

export const listRunsRoute = defineRoute({
  method: "GET",
  path: "/api/v1/projects/{entity}/{project}/runs",
  operationId: "listRuns",
  summary: "A project's runs, newest first, cursor-paginated.",
  access: "credential",
  params: ZRunsPathParams,
  query: ZListRunsQuery,
  responses: { 200: { description: "A page of runs", schema: ZListRunsAnswer } },
  errors: ["invalid_request", "forbidden", "restricted_project", "scope_denied", "not_found"],
  handle: async ({ principal, params, query }) => ({
    status: 200,
    body: await listRuns(principal, params.entity, params.project, query),
  }),
});

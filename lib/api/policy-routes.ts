// Org policies (SPEC §4, rule 31): org-scoped ADMIN accounts read and change their org's.
import { z } from "zod";
import { getPolicies, updatePolicies } from "@/lib/orgs/policies";
import { API_KEY_POLICIES } from "@/lib/orgs/policy-rules";
import { defineRoute } from "./router";

export const ZOrgPolicies = z
  .object({
    apiKeys: z.enum(API_KEY_POLICIES).meta({
      description:
        "allowed; team_only: org-scoped accounts must use federation; disabled: no new API keys anywhere (existing keys keep working until revoked)",
    }),
    requireOwner: z.boolean().meta({ description: "New service accounts must name an owner." }),
    requireAllowedIpsForOrgScope: z
      .boolean()
      .meta({ description: "Keys of org-scoped accounts must carry allowedIps." }),
  })
  .meta({ id: "OrgPolicies" });

const ZPolicyPatch = z
  .object({
    apiKeys: z.string().max(32).optional(),
    requireOwner: z.boolean().optional(),
    requireAllowedIpsForOrgScope: z.boolean().optional(),
  })
  .strict();

export const getPoliciesRoute = defineRoute({
  method: "GET",
  path: "/api/v1/org/policies",
  operationId: "getOrgPolicies",
  summary: "The organization's policies (rule 31). A refusal by one answers 403 policy_denied naming it.",
  access: "admin",
  responses: { 200: { description: "The policies", schema: z.object({ policies: ZOrgPolicies }) } },
  errors: ["forbidden"],
  handle: async ({ principal }) => ({ status: 200, body: { policies: await getPolicies(principal) } }),
});

export const updatePoliciesRoute = defineRoute({
  method: "PATCH",
  path: "/api/v1/org/policies",
  operationId: "updateOrgPolicies",
  summary: "Change some policies (a field left out keeps its value); audited org.policies_changed.",
  access: "admin",
  body: ZPolicyPatch,
  bodyName: "policies",
  responses: {
    200: { description: "The policies after the change", schema: z.object({ policies: ZOrgPolicies }) },
  },
  errors: ["invalid_request", "forbidden"],
  handle: async ({ principal, body }) => ({
    status: 200,
    body: { policies: await updatePolicies(principal, undefined, body as never) },
  }),
});

export const POLICY_ROUTES = [getPoliciesRoute, updatePoliciesRoute];

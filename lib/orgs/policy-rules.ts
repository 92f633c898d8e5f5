// Org policies (SPEC rule 31) as shapes and words: browser-safe, so the Settings form, the API and
// the domain validate alike and the console says a refusal in the same words the API answers.
import { z } from "zod";

export const API_KEY_POLICIES = ["allowed", "team_only", "disabled"] as const;
export type ApiKeyPolicy = (typeof API_KEY_POLICIES)[number];

export type OrgPolicies = {
  apiKeys: ApiKeyPolicy;
  requireOwner: boolean;
  requireAllowedIpsForOrgScope: boolean;
};

export const ZPolicyChanges = z
  .object({
    apiKeys: z
      .enum(API_KEY_POLICIES, { message: "apiKeys must be allowed, team_only or disabled." })
      .optional(),
    requireOwner: z.boolean({ message: "requireOwner must be true or false." }).optional(),
    requireAllowedIpsForOrgScope: z
      .boolean({ message: "requireAllowedIpsForOrgScope must be true or false." })
      .optional(),
  })
  .strict();
export type TPolicyChanges = z.input<typeof ZPolicyChanges>;

/** Settings → Policies: the form always sends all three. */
export const ZPoliciesForm = z
  .object({
    apiKeys: z.enum(API_KEY_POLICIES, { message: "Choose how API keys may be made." }),
    requireOwner: z.boolean({ message: "requireOwner must be true or false." }),
    requireAllowedIpsForOrgScope: z.boolean({
      message: "requireAllowedIpsForOrgScope must be true or false.",
    }),
  })
  .strict();

export const API_KEY_POLICY_LABELS: Record<ApiKeyPolicy, string> = {
  allowed: "Allowed",
  team_only: "Team-scoped accounts only",
  disabled: "Disabled",
};

/** Why the org's policies refuse a new key for an account of this scope, or null. */
export function newKeyRefusal(
  policies: OrgPolicies,
  scope: "ORG" | "TEAM",
  allowedIps: string[] | null,
): string | null {
  if (policies.apiKeys === "disabled") {
    return "The organization's API keys policy is Disabled: no new API keys can be made (existing keys keep working until revoked). Use a federated account, or ask an org admin.";
  }
  if (policies.apiKeys === "team_only" && scope === "ORG") {
    return "The organization's API keys policy is Team-scoped accounts only: org-scoped accounts must use federation.";
  }
  if (policies.requireAllowedIpsForOrgScope && scope === "ORG" && !allowedIps) {
    return "The organization's policy requires allowed IP ranges on keys of org-scoped accounts (requireAllowedIpsForOrgScope): list the ranges the key will be used from.";
  }
  return null;
}

export const OWNER_REQUIRED =
  "The organization's policy requires an owner for new service accounts (requireOwner): name the person answerable for it.";

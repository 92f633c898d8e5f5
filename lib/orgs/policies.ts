// Org policies (SPEC rule 31): read and changed by org admins (and org-scoped ADMIN accounts
// through the API), enforced by the domain where keys and accounts are made, so every door
// refuses alike with 403 policy_denied and a message naming the policy.
import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { authorizeOrgAdmin } from "@/lib/authz/guard";
import { auditSourceOf, type Principal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { ZPolicyChanges, type ApiKeyPolicy, type OrgPolicies, type TPolicyChanges } from "./policy-rules";

const POLICY_SELECT = { apiKeyPolicy: true, requireOwner: true, requireAllowedIpsForOrgScope: true } as const;

function policiesOf(row: {
  apiKeyPolicy: string;
  requireOwner: boolean;
  requireAllowedIpsForOrgScope: boolean;
}): OrgPolicies {
  return {
    apiKeys: (["allowed", "team_only", "disabled"].includes(row.apiKeyPolicy)
      ? row.apiKeyPolicy
      : "allowed") as ApiKeyPolicy,
    requireOwner: row.requireOwner,
    requireAllowedIpsForOrgScope: row.requireAllowedIpsForOrgScope,
  };
}

/** The org's policies, read inside the caller's transaction (the check and the write agree). */
export async function orgPolicies(client: Tx, orgId: string): Promise<OrgPolicies> {
  return policiesOf(
    await client.organization.findUniqueOrThrow({ where: { id: orgId }, select: POLICY_SELECT }),
  );
}

/** A refusal by a policy: 403 policy_denied with the policy's words. */
export function policyDenied(message: string): AppError {
  return new AppError("FORBIDDEN", message, undefined, "policy_denied");
}

function policiesOrg(principal: Principal, orgSlug?: string) {
  return authorizeOrgAdmin(
    principal,
    orgSlug,
    "org.manage_policies",
    "Only org-scoped ADMIN service accounts read and change the organization's policies.",
  );
}

export async function getPolicies(principal: Principal, orgSlug?: string): Promise<OrgPolicies> {
  const org = await policiesOrg(principal, orgSlug);
  return orgPolicies(db, org.id);
}

/** Changes some policies (a field left out keeps its value); audited org.policies_changed. */
export async function updatePolicies(
  principal: Principal,
  orgSlug: string | undefined,
  input: TPolicyChanges,
): Promise<OrgPolicies> {
  const org = await policiesOrg(principal, orgSlug);
  const changes = parseInput(ZPolicyChanges, input);
  return db.$transaction(async (tx) => {
    const before = await orgPolicies(tx, org.id);
    const after: OrgPolicies = {
      ...before,
      ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    };
    const changed = (Object.keys(after) as (keyof OrgPolicies)[]).filter((k) => after[k] !== before[k]);
    if (changed.length === 0) return before;
    await tx.organization.update({
      where: { id: org.id },
      data: {
        apiKeyPolicy: after.apiKeys,
        requireOwner: after.requireOwner,
        requireAllowedIpsForOrgScope: after.requireAllowedIpsForOrgScope,
      },
    });
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(principal),
      action: "org.policies_changed",
      target: { type: "organization", id: org.id, name: org.slug },
      metadata: { changes: Object.fromEntries(changed.map((k) => [k, { from: before[k], to: after[k] }])) },
    });
    return after;
  });
}

"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { SelectField } from "@/components/ui/field";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { updatePoliciesAction } from "@/lib/orgs/actions";
import { API_KEY_POLICIES, API_KEY_POLICY_LABELS, type OrgPolicies } from "@/lib/orgs/policy-rules";

/** Org Dashboard → Settings → Policies (rule 31). */
export function PoliciesForm({ orgSlug, policies }: { orgSlug: string; policies: OrgPolicies }) {
  const [saved, setSaved] = useState(false);
  const save = useActionMutation((input: Record<string, unknown>) => updatePoliciesAction(orgSlug, input), {
    onSuccess: () => setSaved(true),
  });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    setSaved(false);
    save.mutate({
      apiKeys: data.get("apiKeys"),
      requireOwner: data.get("requireOwner") === "on",
      requireAllowedIpsForOrgScope: data.get("requireAllowedIpsForOrgScope") === "on",
    });
  }
  return (
    <section
      aria-labelledby="policies-heading"
      className="space-y-4 rounded-lg bg-white p-4 ring-1 ring-slate-200"
    >
      <div>
        <h3 id="policies-heading" className="text-base font-semibold">
          Policies
        </h3>
        <p className="text-sm text-slate-600">
          Guardrails enforced everywhere — the console, the API and the CLI. Existing keys keep working until
          revoked.
        </p>
      </div>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {save.error && <Alert>{save.error.message}</Alert>}
        <SelectField
          label="API keys"
          name="apiKeys"
          defaultValue={policies.apiKeys}
          options={API_KEY_POLICIES.map((value) => ({ value, label: API_KEY_POLICY_LABELS[value] }))}
          hint="Team-scoped accounts only: org-scoped accounts must use federation. Disabled: no new API keys anywhere."
        />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="requireOwner" defaultChecked={policies.requireOwner} />
          Require an owner for new service accounts
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            name="requireAllowedIpsForOrgScope"
            defaultChecked={policies.requireAllowedIpsForOrgScope}
          />
          Require allowed IP ranges on keys of org-scoped accounts
        </label>
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={save.isPending}>
            Save policies
          </Button>
          <p role="status" className="text-sm text-emerald-700">
            {saved ? "Policies saved." : ""}
          </p>
        </div>
      </form>
    </section>
  );
}

"use client";

import type { FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { updateOrgSettingsAction } from "@/lib/orgs/actions";
import { formValues } from "@/components/ui/form-values";

type Settings = {
  name: string;
  seatLimit: number;
  maxServiceAccounts: number | null;
  maxKeysPerAccount: number | null;
  maxKeyLifetimeDays: number | null;
};

export function OrgSettingsForm({ orgSlug, settings }: { orgSlug: string; settings: Settings }) {
  const save = useActionMutation((input: Record<string, string>) => updateOrgSettingsAction(orgSlug, input));
  const errors = save.error?.fieldErrors ?? {};

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(formValues(event.currentTarget));
  }

  return (
    <form onSubmit={onSubmit} className="max-w-lg space-y-4" noValidate>
      {save.error && <Alert>{save.error.message}</Alert>}
      {save.isSuccess && <Alert tone="success">Settings saved.</Alert>}
      <TextField
        label="Organization name"
        name="name"
        defaultValue={settings.name}
        required
        error={errors.name}
      />
      <TextField
        label="Seat limit"
        name="seatLimit"
        type="number"
        min={1}
        defaultValue={settings.seatLimit}
        hint="Licensed human seats. Service accounts never use seats."
        error={errors.seatLimit}
      />
      <fieldset className="space-y-4 rounded-lg p-4 ring-1 ring-slate-200">
        <legend className="px-1 text-sm font-semibold">Quotas (empty for no limit)</legend>
        <TextField
          label="Maximum service accounts"
          name="maxServiceAccounts"
          type="number"
          min={1}
          defaultValue={settings.maxServiceAccounts ?? ""}
          hint="Live service accounts in the organization, org- and team-scoped together."
          error={errors.maxServiceAccounts}
        />
        <TextField
          label="Maximum keys per account"
          name="maxKeysPerAccount"
          type="number"
          min={1}
          defaultValue={settings.maxKeysPerAccount ?? ""}
          hint="Live (not revoked, not expired) API keys per service account."
          error={errors.maxKeysPerAccount}
        />
        <TextField
          label="Maximum key lifetime (days)"
          name="maxKeyLifetimeDays"
          type="number"
          min={1}
          defaultValue={settings.maxKeyLifetimeDays ?? ""}
          hint="New keys must expire within this many days."
          error={errors.maxKeyLifetimeDays}
        />
      </fieldset>
      <Button type="submit" disabled={save.isPending}>
        Save settings
      </Button>
    </form>
  );
}

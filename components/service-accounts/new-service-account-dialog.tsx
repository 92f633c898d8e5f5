"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { SelectField, TextField } from "@/components/ui/field";
import { formValues } from "@/components/ui/form-values";
import type { TPlace } from "@/lib/service-accounts";
import { vagueNameHint } from "@/lib/service-accounts/schemas";
import { CreateApiKeyDialog } from "./create-api-key-dialog";
import { useCreateServiceAccount } from "./hooks";
import { ROLE_OPTIONS } from "./labels";

/**
 * "New service account": Name, Description, Default team (Org Dashboard only), Role and the
 * Authentication method. A built-in account is offered its first API key right away.
 */
export function NewServiceAccountDialog({
  place,
  teams,
  maxKeyLifetimeDays,
  issuers,
  onCreated,
}: {
  place: TPlace;
  teams: { slug: string; name: string }[];
  maxKeyLifetimeDays?: number | null;
  issuers: { issuer: string; name: string }[];
  /** Told the new account, so the list can show it first (issue 21). */
  onCreated?: (account: { id: string; name: string }) => void;
}) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [authMethod, setAuthMethod] = useState<"API_KEY" | "FEDERATED">("API_KEY");
  const [keyFor, setKeyFor] = useState<{ id: string; name: string } | null>(null);
  const create = useCreateServiceAccount(place, onCreated);
  const errors = create.error?.fieldErrors ?? {};
  const isOrg = "orgSlug" in place;
  const hint = vagueNameHint(name);

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      create.reset();
      setName("");
      setAuthMethod("API_KEY");
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(formValues(event.currentTarget));
  }

  const created = create.data;
  return (
    <>
      <Dialog open={open} onOpenChange={onOpenChange}>
        <DialogTrigger asChild>
          <Button>New service account</Button>
        </DialogTrigger>
        <DialogContent title="New service account">
          {created ? (
            <div className="space-y-4">
              <Alert tone="success">Service account {created.name} was created.</Alert>
              {created.authMethod === "API_KEY" ? (
                <>
                  <p className="text-sm text-slate-700">Create its first API key now?</p>
                  <div className="flex justify-end gap-2">
                    <DialogClose asChild>
                      <Button variant="secondary">Not now</Button>
                    </DialogClose>
                    <Button
                      onClick={() => {
                        setKeyFor({ id: created.id, name: created.name });
                        onOpenChange(false);
                      }}
                    >
                      Create API key
                    </Button>
                  </div>
                </>
              ) : (
                <div className="flex justify-end">
                  <DialogClose asChild>
                    <Button>Done</Button>
                  </DialogClose>
                </div>
              )}
            </div>
          ) : (
            <form onSubmit={onSubmit} className="space-y-4" noValidate>
              {create.error && Object.keys(errors).length === 0 && <Alert>{create.error.message}</Alert>}
              <TextField
                label="Name"
                name="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
                autoComplete="off"
                placeholder="ci-model-training"
                hint={hint ?? "Lowercase letters, digits and dashes, 3–64 characters."}
                error={errors.name}
              />
              <TextField
                label="Description"
                name="description"
                error={errors.description}
                placeholder="What runs with it"
              />
              <TextField
                label="Owner"
                name="owner"
                type="email"
                placeholder="you"
                hint="The person answerable for it, a member of the organization. Empty: you."
                error={errors.owner}
              />
              <TextField
                label="Contact"
                name="contact"
                placeholder="#ml-infra"
                hint="A channel or mailing list (optional)."
                error={errors.contact}
              />
              {isOrg && (
                <SelectField
                  label="Default team"
                  name="defaultTeam"
                  defaultValue=""
                  options={[
                    { value: "", label: "Choose a team" },
                    ...teams.map((t) => ({ value: t.slug, label: t.name })),
                  ]}
                  hint="Where the account logs when a request names no team."
                  error={errors.defaultTeam}
                />
              )}
              <SelectField
                label="Role"
                name="role"
                defaultValue="MEMBER"
                options={ROLE_OPTIONS}
                error={errors.role}
              />
              <fieldset role="radiogroup" aria-label="Authentication method" className="space-y-2">
                <legend className="text-sm font-medium text-slate-800">Authentication method</legend>
                {(
                  [
                    ["API_KEY", "Generate API key (Built-in)"],
                    ["FEDERATED", "Federated identity"],
                  ] as const
                ).map(([value, label]) => (
                  <label key={value} className="flex items-center gap-2 text-sm">
                    <input
                      type="radio"
                      name="authMethod"
                      value={value}
                      checked={authMethod === value}
                      onChange={() => setAuthMethod(value)}
                    />
                    {label}
                  </label>
                ))}
              </fieldset>
              {authMethod === "FEDERATED" && (
                <div className="space-y-3 rounded-md p-3 ring-1 ring-slate-200">
                  <p className="text-xs text-slate-600">
                    Jobs exchange a JWT from this issuer for a short-lived Deputy token. No API key is ever
                    issued.
                  </p>
                  {issuers.length === 0 ? (
                    <Alert>
                      No identity provider is registered yet. An org admin adds your CI&apos;s issuer under
                      Org Dashboard → Identity providers first.
                    </Alert>
                  ) : (
                    <SelectField
                      label="Issuer"
                      name="issuer"
                      options={issuers.map((i) => ({ value: i.issuer, label: `${i.name} (${i.issuer})` }))}
                      hint="A registered identity provider. Add claim conditions with Edit federation on the account's page."
                      error={errors.issuer}
                    />
                  )}
                  <TextField
                    label="Subject"
                    name="subject"
                    placeholder="repo:acme/models:ref:refs/heads/main"
                    hint="Exact, or with * wildcards."
                    error={errors.subject}
                  />
                  <TextField label="Audience" name="audience" placeholder="deputy" error={errors.audience} />
                </div>
              )}
              <DialogFormActions submitLabel="Create" disabled={create.isPending} />
            </form>
          )}
        </DialogContent>
      </Dialog>
      {keyFor && (
        <CreateApiKeyDialog
          accountId={keyFor.id}
          accountName={keyFor.name}
          open
          maxLifetimeDays={maxKeyLifetimeDays}
          onOpenChange={(next) => !next && setKeyFor(null)}
        />
      )}
    </>
  );
}

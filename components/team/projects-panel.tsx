"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { SelectField, TextField, InlineSelect } from "@/components/ui/field";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import {
  changeProjectVisibilityAction,
  createProjectAction,
  grantProjectAccessAction,
  revokeProjectAccessAction,
} from "@/lib/projects/actions";
import { VISIBILITY_HELP, VISIBILITIES } from "@/lib/projects/visibility";
import { formValues } from "@/components/ui/form-values";

type ProjectRow = {
  id: string;
  name: string;
  visibility: (typeof VISIBILITIES)[number];
  description: string;
  runs: number;
  access: { id: string; kind: "user" | "service_account"; label: string }[];
};

const VISIBILITY_LABEL = { OPEN: "Open", PUBLIC: "Public", TEAM: "Team", RESTRICTED: "Restricted" } as const;
const VISIBILITY_SELECT_OPTIONS = VISIBILITIES.map((v) => ({ value: v, label: VISIBILITY_LABEL[v] }));
const VISIBILITY_OPTIONS = VISIBILITIES.map((v) => ({
  value: v,
  label: `${VISIBILITY_LABEL[v]} — ${VISIBILITY_HELP[v]}`,
}));

type GrantableAccount = { name: string; scope: "ORG" | "TEAM" };

export function ProjectsPanel({
  teamSlug,
  projects,
  canCreate,
  canManage,
  grantableAccounts,
}: {
  teamSlug: string;
  projects: ProjectRow[];
  canCreate: boolean;
  canManage: boolean;
  grantableAccounts: GrantableAccount[];
}) {
  const changeVisibility = useActionMutation((input: { projectId: string; visibility: string }) =>
    changeProjectVisibilityAction(teamSlug, input),
  );
  return (
    <section aria-labelledby="projects-heading" className="space-y-4">
      <div className="flex items-center justify-between">
        <h2 id="projects-heading" className="text-lg font-semibold">
          Projects
        </h2>
        {canCreate && <NewProjectDialog teamSlug={teamSlug} />}
      </div>
      {changeVisibility.error && <Alert>{changeVisibility.error.message}</Alert>}
      <Table caption="Projects" head={["Project", "Visibility", "Runs", "Access"]}>
        {projects.length === 0 && <EmptyRow colSpan={4}>No projects in this team yet.</EmptyRow>}
        {projects.map((p) => (
          <tr key={p.id} className="align-top">
            <Td>
              <Link
                href={`/${teamSlug}/projects/${encodeURIComponent(p.name)}`}
                className="font-medium text-indigo-700 hover:underline"
              >
                {p.name}
              </Link>
              {p.description && <span className="block text-xs text-slate-500">{p.description}</span>}
            </Td>
            <Td>
              {canManage ? (
                <InlineSelect
                  label={`Visibility of ${p.name}`}
                  value={p.visibility}
                  options={VISIBILITY_SELECT_OPTIONS}
                  disabled={changeVisibility.isPending}
                  onChange={(visibility) => changeVisibility.mutate({ projectId: p.id, visibility })}
                />
              ) : (
                <span data-testid={`visibility-${p.name}`}>{VISIBILITY_LABEL[p.visibility]}</span>
              )}
              <span className="mt-1 block text-xs text-slate-500">{VISIBILITY_HELP[p.visibility]}</span>
            </Td>
            <Td>{p.runs}</Td>
            <Td>
              {p.visibility === "RESTRICTED" ? (
                <AccessList
                  teamSlug={teamSlug}
                  project={p}
                  canManage={canManage}
                  grantableAccounts={grantableAccounts}
                />
              ) : (
                <span className="text-slate-500">By visibility</span>
              )}
            </Td>
          </tr>
        ))}
      </Table>
    </section>
  );
}

function AccessList({
  teamSlug,
  project,
  canManage,
  grantableAccounts,
}: {
  teamSlug: string;
  project: ProjectRow;
  canManage: boolean;
  grantableAccounts: GrantableAccount[];
}) {
  const [email, setEmail] = useState("");
  const [account, setAccount] = useState("");
  const grant = useActionMutation(
    (input: { projectId: string; email: string } | { projectId: string; serviceAccount: string }) =>
      grantProjectAccessAction(teamSlug, input),
    {
      onSuccess: () => {
        setEmail("");
        setAccount("");
      },
    },
  );
  const revoke = useActionMutation((input: { projectId: string; accessId: string }) =>
    revokeProjectAccessAction(teamSlug, input),
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    grant.mutate({ projectId: project.id, email });
  }
  return (
    <div className="space-y-2" aria-label={`Access to ${project.name}`} role="group">
      {project.access.length === 0 ? (
        <p className="text-slate-500">Nobody has been granted access.</p>
      ) : (
        <ul className="space-y-1">
          {project.access.map((a) => (
            <li key={a.id} className="flex items-center gap-2">
              <span>
                {a.label}
                {a.kind === "service_account" && (
                  <span className="text-xs text-slate-500"> (service account)</span>
                )}
              </span>
              {canManage && (
                <Button
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove access for ${a.label}`}
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate({ projectId: project.id, accessId: a.id })}
                >
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {canManage && (
        <form onSubmit={onSubmit} className="flex items-end gap-2">
          <div className="flex-1">
            <label className="sr-only" htmlFor={`grant-${project.id}`}>
              Grant access to {project.name} by email
            </label>
            <input
              id={`grant-${project.id}`}
              type="email"
              placeholder="name@example.com"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              className="block w-full rounded-md border-0 px-2 py-1 text-sm ring-1 ring-inset ring-slate-300"
            />
          </div>
          <Button type="submit" size="sm" variant="secondary" disabled={grant.isPending}>
            Grant
          </Button>
        </form>
      )}
      {canManage && grantableAccounts.length > 0 && (
        <form
          className="flex items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            grant.mutate({ projectId: project.id, serviceAccount: account });
          }}
        >
          <select
            aria-label={`Service account to grant access to ${project.name}`}
            value={account}
            onChange={(e) => setAccount(e.target.value)}
            className="block flex-1 rounded-md border-0 py-1 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300"
          >
            <option value="">Choose a service account</option>
            {grantableAccounts.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name} ({a.scope === "ORG" ? "org-scoped" : "this team"})
              </option>
            ))}
          </select>
          <Button type="submit" size="sm" variant="secondary" disabled={grant.isPending || account === ""}>
            Grant account
          </Button>
        </form>
      )}
      {(grant.error ?? revoke.error) && <Alert>{(grant.error ?? revoke.error)?.message}</Alert>}
    </div>
  );
}

function NewProjectDialog({ teamSlug }: { teamSlug: string }) {
  const [open, setOpen] = useState(false);
  const create = useActionMutation((input: Record<string, string>) => createProjectAction(teamSlug, input), {
    onSuccess: () => setOpen(false),
  });
  const errors = create.error?.fieldErrors ?? {};
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate(formValues(event.currentTarget));
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) create.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button>New project</Button>
      </DialogTrigger>
      <DialogContent title="New project">
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {create.error && !create.error.fieldErrors.name && <Alert>{create.error.message}</Alert>}
          <TextField label="Project name" name="name" required error={errors.name} />
          <SelectField
            label="Visibility"
            name="visibility"
            defaultValue="TEAM"
            options={VISIBILITY_OPTIONS}
          />
          <TextField label="Description" name="description" error={errors.description} />
          <DialogFormActions submitLabel="Create project" disabled={create.isPending} />
        </form>
      </DialogContent>
    </Dialog>
  );
}

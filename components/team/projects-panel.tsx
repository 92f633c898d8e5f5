"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { SelectField, TextField, InlineSelect } from "@/components/ui/field";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { changeProjectVisibilityAction, createProjectAction } from "@/lib/projects/actions";
import { VISIBILITY_HELP, VISIBILITIES } from "@/lib/projects/visibility";
import { formValues } from "@/components/ui/form-values";
import { ProjectAccessList } from "./project-access-list";

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

export function ProjectsPanel({
  teamSlug,
  projects,
  canCreate,
  canManage,
}: {
  teamSlug: string;
  projects: ProjectRow[];
  canCreate: boolean;
  canManage: boolean;
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
                <ProjectAccessList teamSlug={teamSlug} project={p} canManage={canManage} />
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

"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { createTeamAction, deleteTeamAction, renameTeamAction } from "@/lib/teams/actions";
import { formValues } from "@/components/ui/form-values";

type TeamRow = {
  id: string;
  slug: string;
  name: string;
  members: number;
  projects: number;
  serviceAccounts: number;
};

export function TeamsPanel({ orgSlug, teams }: { orgSlug: string; teams: TeamRow[] }) {
  const [renaming, setRenaming] = useState<TeamRow | null>(null);
  const [deleting, setDeleting] = useState<TeamRow | null>(null);
  const remove = useActionMutation((input: { teamId: string }) => deleteTeamAction(orgSlug, input), {
    onSuccess: () => setDeleting(null),
  });

  return (
    <section aria-labelledby="teams-heading" className="space-y-4">
      <div className="flex items-center justify-between">
        <h2 id="teams-heading" className="text-lg font-semibold">
          Teams
        </h2>
        <NewTeamDialog orgSlug={orgSlug} />
      </div>
      <Table caption="Teams" head={["Team", "URL name", "Members", "Projects", "Service accounts", ""]}>
        {teams.length === 0 && <EmptyRow colSpan={6}>No teams yet. Create the first one.</EmptyRow>}
        {teams.map((t) => (
          <tr key={t.id}>
            <Td>
              <Link href={`/${t.slug}/settings`} className="font-medium text-indigo-700 hover:underline">
                {t.name}
              </Link>
            </Td>
            <Td>
              <code className="text-xs">{t.slug}</code>
            </Td>
            <Td>{t.members}</Td>
            <Td>{t.projects}</Td>
            <Td>{t.serviceAccounts}</Td>
            <Td className="space-x-1 px-4 py-2 text-right">
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Rename ${t.slug}`}
                onClick={() => setRenaming(t)}
              >
                Rename
              </Button>
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Delete ${t.slug}`}
                onClick={() => {
                  remove.reset();
                  setDeleting(t);
                }}
              >
                Delete
              </Button>
            </Td>
          </tr>
        ))}
      </Table>
      {renaming && <RenameTeamDialog orgSlug={orgSlug} team={renaming} onClose={() => setRenaming(null)} />}
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title="Delete team"
        description={`Delete ${deleting?.slug ?? ""}? Only an empty team (no projects, no service accounts) can be deleted.`}
        confirmLabel="Delete team"
        pending={remove.isPending}
        error={remove.error?.message}
        onConfirm={() => deleting && remove.mutate({ teamId: deleting.id })}
      />
    </section>
  );
}

function NewTeamDialog({ orgSlug }: { orgSlug: string }) {
  const [open, setOpen] = useState(false);
  const create = useActionMutation((input: Record<string, string>) => createTeamAction(orgSlug, input), {
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
        <Button>New team</Button>
      </DialogTrigger>
      <DialogContent title="New team" description="Teams own projects and team-scoped service accounts.">
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {create.error && !create.error.fieldErrors.slug && <Alert>{create.error.message}</Alert>}
          <TextField label="Team name" name="name" required error={errors.name} />
          <TextField
            label="URL name"
            name="slug"
            required
            hint="Lowercase letters, digits and dashes, like ml-team. It is the team's address: /<name>. It can't be changed later."
            error={errors.slug}
          />
          <DialogFormActions submitLabel="Create team" disabled={create.isPending} />
        </form>
      </DialogContent>
    </Dialog>
  );
}

function RenameTeamDialog({
  orgSlug,
  team,
  onClose,
}: {
  orgSlug: string;
  team: TeamRow;
  onClose: () => void;
}) {
  const rename = useActionMutation(
    (input: { teamId: string; name: string }) => renameTeamAction(orgSlug, input),
    {
      onSuccess: onClose,
    },
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    rename.mutate({ teamId: team.id, name: formValues(event.currentTarget).name ?? "" });
  }
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent title="Rename team" description={`The URL name ${team.slug} stays the same.`}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {rename.error && !rename.error.fieldErrors.name && <Alert>{rename.error.message}</Alert>}
          <TextField
            label="Team name"
            name="name"
            defaultValue={team.name}
            required
            error={rename.error?.fieldErrors.name}
          />
          <DialogFormActions submitLabel="Save" disabled={rename.isPending} />
        </form>
      </DialogContent>
    </Dialog>
  );
}

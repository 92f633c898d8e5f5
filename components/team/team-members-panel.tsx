"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogClose, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { SelectField, InlineSelect } from "@/components/ui/field";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { addTeamMemberAction, changeTeamMemberRoleAction, removeTeamMemberAction } from "@/lib/teams/actions";
import { formValues } from "@/components/ui/form-values";
import { ROLE_LABEL, ROLE_OPTIONS } from "@/lib/roles";

type TeamMember = { userId: string; email: string; name: string; role: "ADMIN" | "MEMBER" | "VIEWER" };

const TEAM_ROLE_OPTIONS = ROLE_OPTIONS;

export function TeamMembersPanel({
  teamSlug,
  members,
  canManage,
  addable,
}: {
  teamSlug: string;
  members: TeamMember[];
  canManage: boolean;
  addable: { email: string; name: string }[];
}) {
  const [removing, setRemoving] = useState<TeamMember | null>(null);
  const changeRole = useActionMutation((input: { userId: string; role: string }) =>
    changeTeamMemberRoleAction(teamSlug, input),
  );
  const remove = useActionMutation((input: { userId: string }) => removeTeamMemberAction(teamSlug, input), {
    onSuccess: () => setRemoving(null),
  });

  return (
    <section aria-labelledby="team-members-heading" className="space-y-4">
      <div className="flex items-center justify-between">
        <h2 id="team-members-heading" className="text-lg font-semibold">
          Members
        </h2>
        {canManage && <AddTeamMemberDialog teamSlug={teamSlug} addable={addable} />}
      </div>
      {!canManage && (
        <Alert tone="info">You can see this team&apos;s members. Team admins manage them.</Alert>
      )}
      {changeRole.error && <Alert>{changeRole.error.message}</Alert>}
      <Table
        caption="Team members"
        head={canManage ? ["Name", "Email", "Role", ""] : ["Name", "Email", "Role"]}
      >
        {members.length === 0 && <EmptyRow colSpan={4}>No members in this team yet.</EmptyRow>}
        {members.map((m) => (
          <tr key={m.userId}>
            <Td>{m.name}</Td>
            <Td>{m.email}</Td>
            <Td>
              {canManage ? (
                <InlineSelect
                  label={`Team role for ${m.email}`}
                  value={m.role}
                  options={TEAM_ROLE_OPTIONS}
                  disabled={changeRole.isPending}
                  onChange={(role) => changeRole.mutate({ userId: m.userId, role })}
                />
              ) : (
                ROLE_LABEL[m.role]
              )}
            </Td>
            {canManage && (
              <Td className="px-4 py-2 text-right">
                <Button
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove ${m.email} from team`}
                  onClick={() => {
                    remove.reset();
                    setRemoving(m);
                  }}
                >
                  Remove
                </Button>
              </Td>
            )}
          </tr>
        ))}
      </Table>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title="Remove from team"
        description={`${removing?.email ?? ""} stays in the organization but leaves ${teamSlug}.`}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error?.message}
        onConfirm={() => removing && remove.mutate({ userId: removing.userId })}
      />
    </section>
  );
}

function AddTeamMemberDialog({
  teamSlug,
  addable,
}: {
  teamSlug: string;
  addable: { email: string; name: string }[];
}) {
  const [open, setOpen] = useState(false);
  const add = useActionMutation((input: Record<string, string>) => addTeamMemberAction(teamSlug, input), {
    onSuccess: () => setOpen(false),
  });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate(formValues(event.currentTarget));
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) add.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button>Add member</Button>
      </DialogTrigger>
      <DialogContent
        title="Add team member"
        description="Choose a member of the organization and their team role."
      >
        {addable.length === 0 ? (
          <div className="space-y-4">
            <Alert tone="info">
              Everyone in the organization is already in this team. An org admin adds new people.
            </Alert>
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button variant="secondary">Close</Button>
              </DialogClose>
            </div>
          </div>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            {add.error && <Alert>{add.error.message}</Alert>}
            <SelectField
              label="Person"
              name="email"
              options={addable.map((p) => ({ value: p.email, label: `${p.name} (${p.email})` }))}
              error={add.error?.fieldErrors.email}
            />
            <SelectField label="Team role" name="role" defaultValue="MEMBER" options={TEAM_ROLE_OPTIONS} />
            <DialogFormActions submitLabel="Add" disabled={add.isPending} />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Dialog, DialogClose, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { SelectField, TextField, InlineSelect } from "@/components/ui/field";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import {
  addOrgMemberAction,
  changeOrgMemberRoleAction,
  endMemberSessionsAction,
  removeOrgMemberAction,
} from "@/lib/orgs/actions";
import { formValues } from "@/components/ui/form-values";

type Member = {
  userId: string;
  email: string;
  name: string;
  role: "ADMIN" | "MEMBER";
  teams: { slug: string; role: string }[];
};

const ORG_ROLE_OPTIONS = [
  { value: "MEMBER", label: "Member" },
  { value: "ADMIN", label: "Admin" },
] as const;

export function MembersPanel({
  orgSlug,
  members,
  seatsUsed,
  seatLimit,
}: {
  orgSlug: string;
  members: Member[];
  seatsUsed: number;
  seatLimit: number;
}) {
  const [removing, setRemoving] = useState<Member | null>(null);
  const [ending, setEnding] = useState<Member | null>(null);
  const endSessions = useActionMutation(
    (input: { userId: string }) => endMemberSessionsAction(orgSlug, input),
    { refresh: false, onSuccess: () => setEnding(null) },
  );
  const changeRole = useActionMutation((input: { userId: string; role: string }) =>
    changeOrgMemberRoleAction(orgSlug, input),
  );
  const remove = useActionMutation((input: { userId: string }) => removeOrgMemberAction(orgSlug, input), {
    onSuccess: () => setRemoving(null),
  });

  return (
    <section aria-labelledby="members-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h2 id="members-heading" className="text-lg font-semibold">
            Members
          </h2>
          <p className="text-sm text-slate-600" data-testid="seat-usage">
            Seats: {seatsUsed} of {seatLimit} used
            <span className="text-slate-500"> · service accounts never use seats</span>
          </p>
        </div>
        <AddMemberDialog orgSlug={orgSlug} />
      </div>
      {changeRole.error && <Alert>{changeRole.error.message}</Alert>}
      <Table caption="Organization members" head={["Name", "Email", "Role", "Teams", ""]}>
        {members.length === 0 && <EmptyRow colSpan={5}>No members yet.</EmptyRow>}
        {members.map((m) => (
          <tr key={m.userId}>
            <Td>{m.name}</Td>
            <Td>{m.email}</Td>
            <Td>
              <InlineSelect
                label={`Role for ${m.email}`}
                value={m.role}
                options={ORG_ROLE_OPTIONS}
                disabled={changeRole.isPending}
                onChange={(role) => changeRole.mutate({ userId: m.userId, role })}
              />
            </Td>
            <Td>
              {m.teams.length === 0 ? (
                <span className="text-slate-500">None</span>
              ) : (
                m.teams.map((t) => `${t.slug} (${t.role.toLowerCase()})`).join(", ")
              )}
            </Td>
            <Td className="px-4 py-2 text-right">
              <DropdownMenu>
                <DropdownMenuTrigger asChild>
                  <Button variant="ghost" size="sm" aria-label={`Actions for ${m.email}`}>
                    <span aria-hidden>⋯</span>
                  </Button>
                </DropdownMenuTrigger>
                <DropdownMenuContent>
                  <DropdownMenuItem
                    onSelect={() => {
                      endSessions.reset();
                      setEnding(m);
                    }}
                  >
                    End sessions
                  </DropdownMenuItem>
                  <DropdownMenuItem
                    destructive
                    onSelect={() => {
                      remove.reset();
                      setRemoving(m);
                    }}
                  >
                    Remove
                  </DropdownMenuItem>
                </DropdownMenuContent>
              </DropdownMenu>
            </Td>
          </tr>
        ))}
      </Table>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title="Remove member"
        description={`${removing?.email ?? ""} loses access to this organization and all its teams.`}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error?.message}
        onConfirm={() => removing && remove.mutate({ userId: removing.userId })}
      />
      {endSessions.isSuccess && (
        <Alert tone="success">
          {endSessions.data.ended === 1 ? "1 session was" : `${endSessions.data.ended} sessions were`} ended.
          They are signed out on their next request.
        </Alert>
      )}
      <ConfirmDialog
        open={ending !== null}
        onOpenChange={(open) => !open && setEnding(null)}
        title="End sessions"
        description={`${ending?.email ?? ""} is signed out of every browser and has to sign in again.`}
        confirmLabel="End sessions"
        pending={endSessions.isPending}
        error={endSessions.error?.message}
        onConfirm={() => ending && endSessions.mutate({ userId: ending.userId })}
      />
    </section>
  );
}

function AddMemberDialog({ orgSlug }: { orgSlug: string }) {
  const [open, setOpen] = useState(false);
  const add = useActionMutation((input: Record<string, string>) => addOrgMemberAction(orgSlug, input), {
    holdsSecret: true,
  });
  const errors = add.error?.fieldErrors ?? {};
  const oneTimePassword = add.data?.oneTimePassword;

  function onOpenChange(next: boolean) {
    setOpen(next);
    // Forget the one-time password as soon as the dialog closes.
    if (!next) add.reset();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate(formValues(event.currentTarget));
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>Add member</Button>
      </DialogTrigger>
      <DialogContent
        title="Add member"
        description="Add a person by email. Someone new gets an account with a one-time password."
      >
        {add.isSuccess ? (
          <div className="space-y-4">
            <Alert tone="success">{add.data.email} was added.</Alert>
            {oneTimePassword ? (
              <div className="space-y-2">
                <label htmlFor="one-time-password" className="block text-sm font-medium">
                  One-time password
                </label>
                <input
                  id="one-time-password"
                  readOnly
                  value={oneTimePassword}
                  className="block w-full rounded-md bg-slate-50 px-3 py-2 font-mono text-sm ring-1 ring-slate-300"
                  onFocus={(e) => e.currentTarget.select()}
                />
                <p className="text-sm text-slate-600">
                  Give it to {add.data.email} privately. You won&apos;t be able to see it again; they choose a
                  new password when they first sign in.
                </p>
              </div>
            ) : (
              <p className="text-sm text-slate-600">They already had an account and can sign in as before.</p>
            )}
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </div>
          </div>
        ) : (
          <form onSubmit={onSubmit} className="space-y-4" noValidate>
            {add.error && <Alert>{add.error.message}</Alert>}
            <TextField label="Email" name="email" type="email" required error={errors.email} />
            <TextField label="Name" name="name" hint="Optional, for new accounts." error={errors.name} />
            <SelectField
              label="Role"
              name="role"
              defaultValue="MEMBER"
              options={ORG_ROLE_OPTIONS}
              error={errors.role}
            />
            <DialogFormActions submitLabel="Add" disabled={add.isPending} />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

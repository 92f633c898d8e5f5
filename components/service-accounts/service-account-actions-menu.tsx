"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFormActions } from "@/components/ui/dialog";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { SelectField, TextField } from "@/components/ui/field";
import { formValues } from "@/components/ui/form-values";
import { CreateApiKeyDialog } from "./create-api-key-dialog";
import { useDeleteServiceAccount, useSetServiceAccountStatus, useUpdateServiceAccount } from "./hooks";
import { ROLE_OPTIONS } from "./labels";

export type ManagedAccount = {
  id: string;
  name: string;
  description: string;
  role: "ADMIN" | "MEMBER" | "VIEWER";
  status: "ACTIVE" | "DISABLED";
  authMethod: "API_KEY" | "FEDERATED";
  /** On the account page (rule 30): Edit then offers Owner and Contact. */
  owner?: string | null;
  contact?: string | null;
  /** Rule 31: why the org's policy allows no new key here, or null. */
  keyPolicyRefusal?: string | null;
};

type OpenDialog = "key" | "edit" | "delete" | null;

/** The row menu: Create API key (built-in accounts only), Edit, Disable/Enable, Delete. */
export function ServiceAccountActionsMenu({
  account,
  maxKeyLifetimeDays,
  onDeleted,
}: {
  account: ManagedAccount;
  maxKeyLifetimeDays?: number | null;
  onDeleted?: () => void;
}) {
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const setStatus = useSetServiceAccountStatus(account.id);
  const canHaveKeys =
    account.authMethod === "API_KEY" && account.status === "ACTIVE" && !account.keyPolicyRefusal;

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="sm" aria-label={`Actions for ${account.name}`}>
            <span aria-hidden>⋯</span>
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent>
          {account.authMethod === "API_KEY" && (
            <DropdownMenuItem disabled={!canHaveKeys} onSelect={() => setDialog("key")}>
              Create API key
            </DropdownMenuItem>
          )}
          <DropdownMenuItem onSelect={() => setDialog("edit")}>Edit</DropdownMenuItem>
          <DropdownMenuItem
            onSelect={() => setStatus.mutate(account.status === "ACTIVE" ? "DISABLED" : "ACTIVE")}
          >
            {account.status === "ACTIVE" ? "Disable" : "Enable"}
          </DropdownMenuItem>
          <DropdownMenuItem destructive onSelect={() => setDialog("delete")}>
            Delete
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      {setStatus.error && (
        <span className="sr-only" role="alert">
          {setStatus.error.message}
        </span>
      )}
      {dialog === "key" && (
        <CreateApiKeyDialog
          accountId={account.id}
          accountName={account.name}
          open
          maxLifetimeDays={maxKeyLifetimeDays}
          onOpenChange={(open) => !open && setDialog(null)}
        />
      )}
      {dialog === "edit" && <EditServiceAccountDialog account={account} onClose={() => setDialog(null)} />}
      {dialog === "delete" && (
        <DeleteServiceAccountDialog
          account={account}
          onClose={() => setDialog(null)}
          onDeleted={() => {
            setDialog(null);
            onDeleted?.();
          }}
        />
      )}
    </>
  );
}

function EditServiceAccountDialog({ account, onClose }: { account: ManagedAccount; onClose: () => void }) {
  const update = useUpdateServiceAccount(account.id, onClose);
  const errors = update.error?.fieldErrors ?? {};
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    update.mutate(formValues(event.currentTarget));
  }
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent title={`Edit ${account.name}`}>
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {update.error && Object.keys(errors).length === 0 && <Alert>{update.error.message}</Alert>}
          <TextField label="Name" name="name" defaultValue={account.name} error={errors.name} />
          <TextField
            label="Description"
            name="description"
            defaultValue={account.description}
            error={errors.description}
          />
          <SelectField
            label="Role"
            name="role"
            defaultValue={account.role}
            options={ROLE_OPTIONS}
            error={errors.role}
          />
          {account.owner !== undefined && (
            <>
              <TextField
                label="Owner"
                name="owner"
                type="email"
                defaultValue={account.owner ?? ""}
                hint="The person answerable for this account: a member of the organization. Empty: no owner."
                error={errors.owner}
              />
              <TextField
                label="Contact"
                name="contact"
                defaultValue={account.contact ?? ""}
                placeholder="#ml-infra"
                hint="A channel or mailing list."
                error={errors.contact}
              />
            </>
          )}
          <DialogFormActions submitLabel="Save" disabled={update.isPending} />
        </form>
      </DialogContent>
    </Dialog>
  );
}

function DeleteServiceAccountDialog({
  account,
  onClose,
  onDeleted,
}: {
  account: ManagedAccount;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [typed, setTyped] = useState("");
  const remove = useDeleteServiceAccount(account.id, onDeleted);
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title="Delete service account"
        description={`Deleting ${account.name} revokes all its API keys at once. Jobs using them will fail. Its audit history stays.`}
      >
        <form
          className="space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            remove.mutate(typed);
          }}
        >
          {remove.error && !remove.error.fieldErrors.confirmName && <Alert>{remove.error.message}</Alert>}
          <TextField
            label={`Type ${account.name} to confirm`}
            name="confirmName"
            value={typed}
            autoComplete="off"
            onChange={(e) => setTyped(e.target.value)}
            error={remove.error?.fieldErrors.confirmName}
          />
          <DialogFormActions
            submitLabel="Delete"
            disabled={typed !== account.name || remove.isPending}
            danger
          />
        </form>
      </DialogContent>
    </Dialog>
  );
}

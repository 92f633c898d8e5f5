"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogTrigger, DialogFormActions } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { EmptyRow, Table, Td } from "@/components/ui/table";
import { formValues } from "@/components/ui/form-values";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { addIdentityProviderAction, removeIdentityProviderAction } from "@/lib/federation/actions";
import { Time } from "@/components/ui/time";

type ProviderRow = {
  id: string;
  issuer: string;
  name: string;
  jwksUri: string;
  keyCount: number;
  refreshedAt: string;
  trustedBy: { name: string; href: string }[];
};

/** Org Dashboard → Identity providers: the org's trusted JWT issuers (SPEC §3). */
export function IdentityProvidersPanel({
  orgSlug,
  providers,
}: {
  orgSlug: string;
  providers: ProviderRow[];
}) {
  const [removing, setRemoving] = useState<ProviderRow | null>(null);
  const remove = useActionMutation((id: string) => removeIdentityProviderAction(orgSlug, id), {
    onSuccess: () => setRemoving(null),
  });
  return (
    <section aria-labelledby="idp-heading" className="space-y-4">
      <div className="flex items-center justify-between">
        <div>
          <h2 id="idp-heading" className="text-lg font-semibold">
            Identity providers
          </h2>
          <p className="text-sm text-slate-600">
            Issuers whose signed JWTs federated service accounts exchange for short-lived Deputy access tokens
            — no stored secret in CI.
          </p>
        </div>
        <AddIdentityProviderDialog orgSlug={orgSlug} />
      </div>
      <Table caption="Identity providers" head={["Issuer", "Signing keys", "Trusted by", ""]}>
        {providers.length === 0 && (
          <EmptyRow colSpan={4}>
            No identity providers yet. Add your CI&apos;s issuer to federate accounts.
          </EmptyRow>
        )}
        {providers.map((p) => (
          <tr key={p.id}>
            <Td>
              <div className="font-medium">{p.name}</div>
              <code className="text-xs text-slate-600">{p.issuer}</code>
            </Td>
            <Td>
              {p.keyCount} {p.keyCount === 1 ? "key" : "keys"}, fetched <Time value={p.refreshedAt} />
              <div className="text-xs text-slate-600">from {p.jwksUri}</div>
            </Td>
            <Td>
              {p.trustedBy.length === 0
                ? "No accounts"
                : p.trustedBy.map((t, i) => (
                    <span key={t.href}>
                      {i > 0 && ", "}
                      <Link href={t.href} className="text-indigo-700 hover:underline">
                        {t.name}
                      </Link>
                    </span>
                  ))}
            </Td>
            <Td className="px-4 py-2 text-right">
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Remove ${p.name}`}
                onClick={() => {
                  remove.reset();
                  setRemoving(p);
                }}
              >
                Remove
              </Button>
            </Td>
          </tr>
        ))}
      </Table>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title="Remove identity provider"
        description={`Remove ${removing?.name ?? ""}? Tokens from ${removing?.issuer ?? ""} will no longer be accepted. It can't be removed while an account trusts it.`}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error?.message}
        onConfirm={() => removing && remove.mutate(removing.id)}
      />
    </section>
  );
}

function AddIdentityProviderDialog({ orgSlug }: { orgSlug: string }) {
  const [open, setOpen] = useState(false);
  const add = useActionMutation(
    (input: Record<string, string>) => addIdentityProviderAction(orgSlug, input),
    {
      onSuccess: () => setOpen(false),
    },
  );
  const errors = add.error?.fieldErrors ?? {};
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
        <Button>Add identity provider</Button>
      </DialogTrigger>
      <DialogContent
        title="Add identity provider"
        description="Deputy fetches the issuer's discovery document and signing keys before saving, and says what failed if it cannot."
      >
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {add.error && <Alert>{add.error.message}</Alert>}
          <TextField
            label="Issuer URL"
            name="issuer"
            required
            placeholder="https://token.actions.githubusercontent.com"
            hint="Exactly as tokens carry it in their iss claim."
            error={errors.issuer}
          />
          <TextField label="Name" name="name" required placeholder="GitHub Actions" error={errors.name} />
          <TextField
            label="JWKS URL"
            name="jwksUri"
            placeholder="Optional: discovered from the issuer when empty"
            hint="Only for issuers without /.well-known/openid-configuration."
            error={errors.jwksUri}
          />
          <DialogFormActions submitLabel="Add" disabled={add.isPending} />
        </form>
      </DialogContent>
    </Dialog>
  );
}

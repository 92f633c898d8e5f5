"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { formValues } from "@/components/ui/form-values";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-policy";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { changePasswordAction } from "@/lib/users/actions";

export function ChangePasswordForm({ returnTo }: { returnTo: string }) {
  const router = useRouter();
  const change = useActionMutation(changePasswordAction, { refresh: false });
  const errors = change.error?.fieldErrors ?? {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = formValues(event.currentTarget);
    const changed = await change.mutateAsync(form).catch(() => null);
    if (!changed) return;
    // The change ended every earlier session, this one included: sign in again with the new password.
    await signIn("credentials", { email: changed.email, password: form.newPassword, redirect: false });
    router.replace(returnTo);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {change.error && !change.error.fieldErrors.currentPassword && <Alert>{change.error.message}</Alert>}
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        error={errors.currentPassword}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        error={errors.newPassword}
      />
      <Button type="submit" className="w-full" disabled={change.isPending}>
        Change password
      </Button>
    </form>
  );
}

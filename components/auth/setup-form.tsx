"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { formValues } from "@/components/ui/form-values";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { setupAction } from "@/lib/orgs/actions";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-policy";

export function SetupForm() {
  const router = useRouter();
  const [slugEdited, setSlugEdited] = useState(false);
  const [slug, setSlug] = useState("");
  const setup = useActionMutation(setupAction, { refresh: false });
  const errors = setup.error?.fieldErrors ?? {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = formValues(event.currentTarget);
    const created = await setup.mutateAsync(form).catch(() => null);
    if (!created) return;
    await signIn("credentials", { email: form.email, password: form.password, redirect: false });
    router.replace(`/org/${created.orgSlug}`);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {setup.error && <Alert>{setup.error.message}</Alert>}
      <TextField
        label="Organization name"
        name="orgName"
        required
        error={errors.orgName}
        onChange={(e) => {
          if (!slugEdited) setSlug(slugify(e.target.value));
        }}
      />
      <TextField
        label="Organization URL name"
        name="orgSlug"
        required
        value={slug}
        onChange={(e) => {
          setSlugEdited(true);
          setSlug(e.target.value);
        }}
        hint="Lowercase letters, digits and dashes; the Org Dashboard lives at /org/<name>."
        error={errors.orgSlug}
      />
      <TextField label="Your name" name="name" autoComplete="name" required error={errors.name} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        error={errors.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        error={errors.password}
      />
      <Button type="submit" className="w-full" disabled={setup.isPending}>
        {setup.isPending ? "Creating…" : "Create organization"}
      </Button>
    </form>
  );
}

function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}

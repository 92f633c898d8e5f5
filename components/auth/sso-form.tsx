"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";

/**
 * Sign in with SSO: the email finds the organization's identity provider. The form asks the
 * server where to go and navigates there itself: the page's CSP (`form-action 'self'`) rightly
 * blocks a form submission that redirects to another origin.
 */
export function SsoForm({
  returnTo,
  error,
  email,
}: {
  returnTo: string;
  error: string | null;
  email: string;
}) {
  const [pending, setPending] = useState(false);
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    const response = await fetch("/api/sso/start", {
      method: "POST",
      body: new FormData(event.currentTarget),
      headers: { accept: "application/json" },
    }).catch(() => null);
    const answer = (await response?.json().catch(() => null)) as { redirectTo?: string } | null;
    window.location.assign(answer?.redirectTo ?? "/login?sso=1&ssoError=unavailable");
  }
  return (
    <form method="post" action="/api/sso/start" onSubmit={(e) => void onSubmit(e)} className="space-y-4">
      {error && <Alert>{error}</Alert>}
      <input type="hidden" name="callbackUrl" value={returnTo} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        autoFocus
        defaultValue={email}
        hint="Your work email: it tells Deputy which organization's identity provider to use."
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Continuing…" : "Continue with SSO"}
      </Button>
      <p className="text-center text-sm">
        <Link
          href={`/login?callbackUrl=${encodeURIComponent(returnTo)}`}
          className="text-indigo-700 underline"
        >
          Sign in with a password instead
        </Link>
      </p>
    </form>
  );
}

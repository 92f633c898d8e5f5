"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { saveSsoSettingsAction } from "@/lib/sso/actions";

type Settings = {
  issuer: string;
  clientId: string;
  emailDomains: string[];
  requireSso: boolean;
  hasSecret: boolean;
} | null;

/** Org Dashboard → Settings → Single sign-on (rule 34). */
export function SsoForm({
  orgSlug,
  settings,
  redirectUri,
}: {
  orgSlug: string;
  settings: Settings;
  redirectUri: string;
}) {
  const [saved, setSaved] = useState(false);
  const save = useActionMutation((input: Record<string, unknown>) => saveSsoSettingsAction(orgSlug, input), {
    onSuccess: () => setSaved(true),
  });
  const errors = save.error?.fieldErrors ?? {};
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const text = (name: string) => {
      const value = new FormData(form).get(name);
      return typeof value === "string" ? value : "";
    };
    setSaved(false);
    save.mutate({
      issuer: text("issuer"),
      clientId: text("clientId"),
      clientSecret: text("clientSecret"),
      emailDomains: text("emailDomains"),
      requireSso: text("requireSso") === "on",
    });
    // The secret does not stay in the page once sent.
    const secret = form.elements.namedItem("clientSecret");
    if (secret instanceof HTMLInputElement) secret.value = "";
  }
  return (
    <section
      aria-labelledby="sso-heading"
      className="space-y-4 rounded-lg bg-white p-4 ring-1 ring-slate-200"
    >
      <div>
        <h3 id="sso-heading" className="text-base font-semibold">
          Single sign-on
        </h3>
        <p className="text-sm text-slate-600">
          People of your email domains sign in through your OpenID Connect provider (Okta, Microsoft Entra ID,
          Google Workspace, Keycloak …). Someone new joins as a member and takes a seat.
        </p>
      </div>
      <div className="rounded-md bg-slate-50 p-3 text-sm ring-1 ring-slate-200">
        <p className="font-medium" id="redirect-uri-label">
          Redirect URI
        </p>
        <p className="text-slate-600">Register this at your identity provider as the sign-in redirect URI.</p>
        <code
          aria-labelledby="redirect-uri-label"
          className="mt-1 block break-all font-mono text-xs"
          data-testid="sso-redirect-uri"
        >
          {redirectUri}
        </code>
      </div>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {save.error && <Alert>{save.error.message}</Alert>}
        <TextField
          label="Issuer URL"
          name="issuer"
          type="url"
          defaultValue={settings?.issuer ?? ""}
          placeholder="https://example.okta.com"
          error={errors.issuer}
          hint="Its /.well-known/openid-configuration is read before saving."
        />
        <TextField
          label="Client ID"
          name="clientId"
          defaultValue={settings?.clientId ?? ""}
          error={errors.clientId}
        />
        <TextField
          label="Client secret"
          name="clientSecret"
          type="password"
          autoComplete="off"
          error={errors.clientSecret}
          hint={settings?.hasSecret ? "Saved, and never shown again. Leave blank to keep it." : undefined}
        />
        <TextField
          label="Email domains"
          name="emailDomains"
          defaultValue={settings?.emailDomains.join(", ") ?? ""}
          placeholder="example.com, example.org"
          error={errors.emailDomains}
          hint="Comma-separated. Sign in with SSO finds your organization by these."
        />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="requireSso" defaultChecked={settings?.requireSso ?? false} />
          Require single sign-on
        </label>
        <p className="text-xs text-slate-500">
          Password sign-in is then refused for these domains, except for org admins (the break-glass path,
          audited).
        </p>
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Checking the issuer…" : "Save"}
          </Button>
          <p role="status" className="text-sm text-emerald-700">
            {saved ? "Single sign-on saved." : ""}
          </p>
        </div>
      </form>
    </section>
  );
}

"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFormActions } from "@/components/ui/dialog";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { formValues } from "@/components/ui/form-values";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { testTokenAction } from "@/lib/federation/actions";
import { updateFederationAction } from "@/lib/service-accounts/actions";
import { TRUST_TEMPLATES, parseClaimLines, sharedIssuerWarning } from "@/lib/federation/templates";

type Trust = {
  issuer: string;
  audience: string;
  subjectPattern: string;
  claimConditions: Record<string, string>;
  /** Rule 25: where the exchange and its access tokens may be used from; null: anywhere. */
  allowedIps: string[] | null;
};

/** A federated account's trust settings, with Edit federation and Test a token (SPEC §3). */
export function FederationPanel({
  accountId,
  trust,
  issuers,
  canManage,
}: {
  accountId: string;
  trust: Trust | null;
  issuers: { issuer: string; name: string }[];
  canManage: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [testing, setTesting] = useState(false);
  const warning = trust ? sharedIssuerWarning(trust.issuer, trust.claimConditions) : null;
  const registered = trust ? issuers.some((i) => i.issuer === trust.issuer) : false;
  return (
    <section aria-labelledby="federation-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="federation-heading" className="text-base font-semibold">
          Federated identity
        </h3>
        <div className="flex gap-2">
          <Button variant="secondary" onClick={() => setTesting(true)}>
            Test a token
          </Button>
          {canManage && <Button onClick={() => setEditing(true)}>Edit federation</Button>}
        </div>
      </div>
      <p className="text-sm text-slate-600">
        This account never owns API keys. A job exchanges a JWT from its identity provider that matches every
        setting below for a short-lived access token at <code>POST /api/v1/oauth/token</code>.
      </p>
      {warning && <Alert tone="warning">{warning}</Alert>}
      {trust && !registered && (
        <Alert>
          {trust.issuer} is not a registered identity provider of this organization, so no token is accepted.
          Add it under Org Dashboard → Identity providers.
        </Alert>
      )}
      {trust ? (
        <dl className="grid gap-2 rounded-lg bg-white p-4 text-sm ring-1 ring-slate-200">
          <Row label="Issuer" value={trust.issuer} />
          <Row label="Audience" value={trust.audience} />
          <Row label="Subject" value={trust.subjectPattern} />
          {Object.entries(trust.claimConditions).map(([name, pattern]) => (
            <Row key={name} label={`Claim ${name}`} value={pattern} />
          ))}
          <Row label="Allowed IP ranges" value={trust.allowedIps?.join(", ") ?? "Any address"} />
        </dl>
      ) : (
        <p className="text-sm">No trust settings yet.</p>
      )}
      {editing && (
        <EditFederationDialog
          accountId={accountId}
          trust={trust}
          issuers={issuers}
          onClose={() => setEditing(false)}
        />
      )}
      {testing && <TestTokenDialog accountId={accountId} onClose={() => setTesting(false)} />}
    </section>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2">
      <dt className="text-slate-500">{label}</dt>
      <dd>
        <code className="break-all">{value}</code>
      </dd>
    </div>
  );
}

function EditFederationDialog({
  accountId,
  trust,
  issuers,
  onClose,
}: {
  accountId: string;
  trust: Trust | null;
  issuers: { issuer: string; name: string }[];
  onClose: () => void;
}) {
  const [values, setValues] = useState({
    issuer: trust?.issuer ?? issuers[0]?.issuer ?? "",
    audience: trust?.audience ?? "deputy",
    subject: trust?.subjectPattern ?? "",
    claims: Object.entries(trust?.claimConditions ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
    allowedIps: (trust?.allowedIps ?? []).join("\n"),
  });
  const [hint, setHint] = useState<string | null>(null);
  const save = useActionMutation(
    (input: Record<string, string>) => updateFederationAction(accountId, input),
    {
      onSuccess: onClose,
    },
  );
  const errors = save.error?.fieldErrors ?? {};
  const parsed = parseClaimLines(values.claims);
  const warning = "claims" in parsed ? sharedIssuerWarning(values.issuer, parsed.claims) : null;
  const set = (name: keyof typeof values) => (event: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [name]: event.target.value }));

  function applyTemplate(id: string) {
    const template = TRUST_TEMPLATES.find((t) => t.id === id);
    if (!template) return;
    const registered = issuers.find((i) => i.issuer === template.issuer);
    setValues({
      ...values,
      issuer: registered?.issuer ?? values.issuer,
      audience: template.audience,
      subject: template.subject,
      claims: Object.entries(template.claims)
        .map(([k, v]) => `${k}=${v}`)
        .join("\n"),
    });
    setHint(
      registered || template.id === "kubernetes"
        ? template.hint
        : `${template.hint} Register ${template.issuer} under Identity providers to choose it.`,
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(formValues(event.currentTarget));
  }

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title="Edit federation"
        description="A token is accepted only when its issuer, audience, subject and every claim condition match. * matches any run of characters."
      >
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {save.error && Object.keys(errors).length === 0 && <Alert>{save.error.message}</Alert>}
          <fieldset className="flex flex-wrap gap-2" aria-label="Start from a template">
            {TRUST_TEMPLATES.map((t) => (
              <Button
                key={t.id}
                type="button"
                variant="secondary"
                size="sm"
                onClick={() => applyTemplate(t.id)}
              >
                {t.label}
              </Button>
            ))}
          </fieldset>
          {hint && <p className="text-xs text-slate-600">{hint}</p>}
          {issuers.length === 0 ? (
            <Alert>
              No identity provider is registered yet: add one under Org Dashboard → Identity providers.
            </Alert>
          ) : (
            <SelectField
              label="Identity provider"
              name="issuer"
              value={values.issuer}
              onChange={set("issuer")}
              options={issuers.map((i) => ({ value: i.issuer, label: `${i.name} (${i.issuer})` }))}
              error={errors.issuer}
            />
          )}
          <TextField
            label="Audience"
            name="audience"
            value={values.audience}
            onChange={set("audience")}
            error={errors.audience}
          />
          <TextField
            label="Subject"
            name="subject"
            value={values.subject}
            onChange={set("subject")}
            hint="Exact, or with * globs, like repo:acme/*:ref:refs/heads/main."
            error={errors.subject}
          />
          <TextAreaField
            label="Claim conditions"
            name="claims"
            rows={3}
            value={values.claims}
            onChange={set("claims")}
            hint="One per line: claim=value (or a * glob), like repository_owner=acme."
            error={errors.claims ?? ("problem" in parsed ? parsed.problem : undefined)}
          />
          <TextAreaField
            label="Allowed IP ranges"
            name="allowedIps"
            rows={2}
            value={values.allowedIps}
            onChange={set("allowedIps")}
            placeholder="10.0.0.0/8"
            hint="One CIDR range per line: the exchange and every use of its access tokens must come from there. Leave empty for any address."
            error={errors.allowedIps}
          />
          {warning && <Alert tone="warning">{warning}</Alert>}
          <DialogFormActions submitLabel="Save" disabled={save.isPending || issuers.length === 0} />
        </form>
      </DialogContent>
    </Dialog>
  );
}

type TestResult = Awaited<ReturnType<typeof testTokenAction>>;

function TestTokenDialog({ accountId, onClose }: { accountId: string; onClose: () => void }) {
  const [result, setResult] = useState<Extract<TestResult, { ok: true }>["data"] | null>(null);
  const test = useActionMutation((jwt: string) => testTokenAction(accountId, jwt), {
    onSuccess: (data) => setResult(data),
    refresh: false,
    // The pasted JWT leaves react-query's cache as soon as the dialog is done with it.
    holdsSecret: true,
  });
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setResult(null);
    test.mutate(formValues(event.currentTarget).token ?? "");
  }
  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title="Test a token"
        description="Paste a JWT from your job to see every check the token exchange makes. Nothing is issued or stored."
      >
        <form onSubmit={onSubmit} className="space-y-4" noValidate>
          {test.error && !test.error.fieldErrors.token && <Alert>{test.error.message}</Alert>}
          <TextAreaField
            label="JWT"
            name="token"
            rows={4}
            autoComplete="off"
            spellCheck={false}
            error={test.error?.fieldErrors.token}
          />
          <div className="flex justify-end">
            <Button type="submit" disabled={test.isPending}>
              Check token
            </Button>
          </div>
        </form>
        {result && (
          <div className="mt-4 space-y-2" aria-live="polite">
            <p className={result.passed ? "font-medium text-green-800" : "font-medium text-red-700"}>
              {result.passed
                ? "This token would be exchanged for an access token."
                : "This token would be refused."}
            </p>
            <ul className="space-y-1 text-sm" aria-label="Checks">
              {result.checks.map((check) => (
                <li key={check.id} className="flex gap-2">
                  <span aria-hidden="true">{check.passed ? "✓" : "✗"}</span>
                  <span>
                    <span className="font-medium">{check.label}</span>: {check.passed ? "passed" : "failed"} —{" "}
                    {check.detail}
                  </span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </DialogContent>
    </Dialog>
  );
}

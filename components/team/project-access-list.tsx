"use client";

import { useId, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useActionMutation } from "@/lib/hooks/use-action-mutation";
import { grantProjectAccessAction, revokeProjectAccessAction } from "@/lib/projects/actions";
import { GRANT_CANDIDATE_LIMIT } from "@/lib/projects/schemas";
import { projectAccessKeys, useGrantCandidates } from "./use-grant-candidates";

type Project = {
  id: string;
  name: string;
  access: { id: string; kind: "user" | "service_account"; label: string }[];
};

const INPUT =
  "block w-full rounded-md border-0 px-2 py-1 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600";

/** A restricted project's access list, with pickers that search for people and accounts on demand. */
export function ProjectAccessList({
  teamSlug,
  project,
  canManage,
}: {
  teamSlug: string;
  project: Project;
  canManage: boolean;
}) {
  const revoke = useActionMutation(
    (input: { projectId: string; accessId: string }) => revokeProjectAccessAction(teamSlug, input),
    { invalidate: projectAccessKeys.project(teamSlug, project.id) },
  );
  return (
    <div className="space-y-2" aria-label={`Access to ${project.name}`} role="group">
      {project.access.length === 0 ? (
        <p className="text-slate-500">Nobody has been granted access.</p>
      ) : (
        <ul className="space-y-1">
          {project.access.map((a) => (
            <li key={a.id} className="flex items-center gap-2">
              <span>
                {a.label}
                {a.kind === "service_account" && (
                  <span className="text-xs text-slate-500"> (service account)</span>
                )}
              </span>
              {canManage && (
                <Button
                  variant="ghost"
                  size="sm"
                  aria-label={`Remove access for ${a.label}`}
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate({ projectId: project.id, accessId: a.id })}
                >
                  Remove
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {revoke.error && <Alert>{revoke.error.message}</Alert>}
      {canManage && <GrantPersonForm teamSlug={teamSlug} project={project} />}
      {canManage && <GrantAccountForm teamSlug={teamSlug} project={project} />}
    </div>
  );
}

/** Email field with suggestions from the org's members, fetched as the person types. */
function GrantPersonForm({ teamSlug, project }: { teamSlug: string; project: Project }) {
  const inputId = useId();
  const listId = useId();
  const [email, setEmail] = useState("");
  // No request until something is typed: a page of restricted projects asks for nothing up front.
  const people = useGrantCandidates(teamSlug, project.id, "person", email, email.trim().length > 0);
  const grant = useActionMutation(
    (input: { projectId: string; email: string }) => grantProjectAccessAction(teamSlug, input),
    { invalidate: projectAccessKeys.project(teamSlug, project.id), onSuccess: () => setEmail("") },
  );
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    grant.mutate({ projectId: project.id, email });
  }
  return (
    <form onSubmit={onSubmit} className="space-y-1">
      <div className="flex items-end gap-2">
        <div className="flex-1">
          <label className="sr-only" htmlFor={inputId}>
            Grant access to {project.name} by email
          </label>
          <input
            id={inputId}
            type="email"
            list={listId}
            autoComplete="off"
            maxLength={254}
            placeholder="name@example.com"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            className={INPUT}
          />
          <datalist id={listId}>
            {(people.data?.candidates ?? []).map((c) => (
              <option key={c.value} value={c.value} label={c.detail} />
            ))}
          </datalist>
        </div>
        <Button type="submit" size="sm" variant="secondary" disabled={grant.isPending}>
          Grant
        </Button>
      </div>
      {grant.error && <Alert>{grant.error.message}</Alert>}
    </form>
  );
}

/** A search field narrowing a short list of eligible service accounts, then "Grant account". */
function GrantAccountForm({ teamSlug, project }: { teamSlug: string; project: Project }) {
  const searchId = useId();
  const selectId = useId();
  const statusId = useId();
  const [query, setQuery] = useState("");
  const [chosen, setChosen] = useState("");
  const accounts = useGrantCandidates(teamSlug, project.id, "service_account", query);
  const candidates = accounts.data?.candidates ?? [];
  // A choice the current search no longer lists is not granted by accident.
  const selected = candidates.some((c) => c.value === chosen) ? chosen : "";
  const grant = useActionMutation(
    (input: { projectId: string; serviceAccount: string }) => grantProjectAccessAction(teamSlug, input),
    {
      invalidate: projectAccessKeys.project(teamSlug, project.id),
      onSuccess: () => {
        setChosen("");
        setQuery("");
      },
    },
  );
  return (
    <form
      className="space-y-1"
      onSubmit={(event) => {
        event.preventDefault();
        grant.mutate({ projectId: project.id, serviceAccount: selected });
      }}
    >
      <label className="sr-only" htmlFor={searchId}>
        Search service accounts for {project.name}
      </label>
      <input
        id={searchId}
        type="search"
        autoComplete="off"
        maxLength={64}
        placeholder="Search service accounts"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        // Enter searches; it must not grant whatever happens to be chosen below.
        onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}
        aria-controls={selectId}
        aria-describedby={statusId}
        className={INPUT}
      />
      <div className="flex items-end gap-2">
        <select
          id={selectId}
          aria-label={`Service account to grant access to ${project.name}`}
          aria-describedby={statusId}
          value={selected}
          onChange={(e) => setChosen(e.target.value)}
          className="block flex-1 rounded-md border-0 py-1 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300"
        >
          <option value="">Choose a service account</option>
          {candidates.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label} ({c.detail})
            </option>
          ))}
        </select>
        <Button type="submit" size="sm" variant="secondary" disabled={grant.isPending || selected === ""}>
          Grant account
        </Button>
      </div>
      <p id={statusId} aria-live="polite" className="text-xs text-slate-500">
        {accountSearchStatus(accounts, query.trim() !== "")}
      </p>
      {grant.error && <Alert>{grant.error.message}</Alert>}
    </form>
  );
}

function accountSearchStatus(accounts: ReturnType<typeof useGrantCandidates>, isSearching: boolean): string {
  if (accounts.error) return accounts.error.message;
  if (!accounts.data) return "Loading service accounts…";
  const count = accounts.data.candidates.length;
  if (count === 0)
    return isSearching ? "No eligible service account matches." : "No eligible service accounts.";
  if (accounts.data.hasMore) {
    return isSearching
      ? `Showing the first ${GRANT_CANDIDATE_LIMIT} matches; type more to narrow the search.`
      : `Showing the ${GRANT_CANDIDATE_LIMIT} newest accounts; search to find others.`;
  }
  return count === 1 ? "1 eligible service account." : `${count} eligible service accounts.`;
}

"use client";

import { useId, useState } from "react";
import { SelectField, TextAreaField } from "@/components/ui/field";
import { PERMISSION_CHOICES } from "@/lib/keys/schemas";
import { useKeyProjectChoices } from "./hooks";

/** Restrictions as the fields start: Restrict (rule 27) pre-fills them with its proposal. */
export type InitialRestrictions = {
  permission: "read" | "write" | "admin" | null;
  projects: string[] | null;
  allowedIps: string[] | null;
};

/**
 * Create API key's and Restrict's restrictions (rule 24): Permission, Projects (all, or only those
 * picked from the projects the account can reach, with a filter) and Allowed IP ranges.
 */
export function KeyRestrictionFields({
  accountId,
  errors,
  initial,
}: {
  accountId: string;
  errors: Record<string, string | undefined>;
  initial?: InitialRestrictions;
}) {
  const [mode, setMode] = useState<"all" | "only">(initial?.projects ? "only" : "all");
  const [filter, setFilter] = useState("");
  const [picked, setPicked] = useState<string[]>(initial?.projects ?? []);
  const choices = useKeyProjectChoices(accountId, mode === "only");
  const id = useId();
  const shown = (choices.data ?? []).filter((path) =>
    path.toLowerCase().includes(filter.trim().toLowerCase()),
  );

  return (
    <div className="space-y-4">
      <SelectField
        label="Permission"
        name="permission"
        defaultValue={
          initial?.permission === "read" || initial?.permission === "write" ? initial.permission : "same"
        }
        options={PERMISSION_CHOICES}
        hint="A key can only do less than its account, never more."
        error={errors.permission}
      />
      <fieldset className="space-y-2" aria-describedby={errors.projects ? `${id}-projects-error` : undefined}>
        <legend className="text-sm font-medium text-slate-900">Projects</legend>
        {(
          [
            ["all", "All projects the account can reach"],
            ["only", "Only these projects"],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="flex items-center gap-2 text-sm">
            <input
              type="radio"
              name="projectsMode"
              value={value}
              checked={mode === value}
              onChange={() => setMode(value)}
            />
            {label}
          </label>
        ))}
        {mode === "only" && (
          <div className="space-y-2 rounded-md p-3 ring-1 ring-slate-200">
            <label htmlFor={`${id}-filter`} className="block text-sm font-medium">
              Find a project
            </label>
            <input
              id={`${id}-filter`}
              type="search"
              value={filter}
              onChange={(event) => setFilter(event.target.value)}
              placeholder="team/project"
              className="block w-full rounded-md px-3 py-2 text-sm ring-1 ring-slate-300"
            />
            {choices.isPending ? (
              <p className="text-sm text-slate-600">Loading projects…</p>
            ) : choices.error ? (
              <p className="text-sm text-red-700">{choices.error.message}</p>
            ) : (
              <ul aria-label="Projects the account can reach" className="max-h-40 space-y-1 overflow-y-auto">
                {shown.length === 0 && <li className="text-sm text-slate-600">No project matches.</li>}
                {shown.map((path) => (
                  <li key={path}>
                    <label className="flex items-center gap-2 font-mono text-xs">
                      <input
                        type="checkbox"
                        name="projects"
                        value={path}
                        checked={picked.includes(path)}
                        onChange={(event) =>
                          setPicked((now) =>
                            event.target.checked ? [...now, path] : now.filter((p) => p !== path),
                          )
                        }
                      />
                      {path}
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {/* Picked projects hidden by the filter are still sent. */}
            {picked
              .filter((path) => !shown.includes(path))
              .map((path) => (
                <input key={path} type="hidden" name="projects" value={path} />
              ))}
            <p className="text-xs text-slate-600" aria-live="polite">
              {picked.length === 1 ? "1 project chosen" : `${picked.length} projects chosen`}
            </p>
          </div>
        )}
        {errors.projects && (
          <p id={`${id}-projects-error`} className="text-sm text-red-700">
            {errors.projects}
          </p>
        )}
      </fieldset>
      <TextAreaField
        label="Allowed IP ranges"
        name="allowedIps"
        rows={2}
        placeholder="10.0.0.0/8"
        defaultValue={initial?.allowedIps?.join("\n") ?? ""}
        hint="One CIDR range per line. Leave empty to allow any address."
        error={errors.allowedIps}
      />
    </div>
  );
}

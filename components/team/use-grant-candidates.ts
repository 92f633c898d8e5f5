"use client";

import { useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { ActionFailure } from "@/lib/hooks/use-action-mutation";
import { searchGrantCandidatesAction } from "@/lib/projects/actions";
import type { GRANT_CANDIDATE_KINDS } from "@/lib/projects/schemas";

type CandidateKind = (typeof GRANT_CANDIDATE_KINDS)[number];

/** Query keys for project access data, from one factory. */
export const projectAccessKeys = {
  all: ["project-access"] as const,
  /** Everything cached about one project's access list: invalidated by its grants and removals. */
  project: (teamSlug: string, projectId: string) => ["project-access", teamSlug, projectId] as const,
  candidates: (teamSlug: string, projectId: string, kind: CandidateKind, query: string) =>
    ["project-access", teamSlug, projectId, "candidates", kind, query] as const,
};

/** The value once it has stopped changing for `ms`: one search per pause in typing, not per key. */
function useDebouncedValue<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** People or service accounts that could be granted access to a project, searched on the server. */
export function useGrantCandidates(
  teamSlug: string,
  projectId: string,
  kind: CandidateKind,
  query: string,
  enabled = true,
) {
  const settled = useDebouncedValue(query.trim().toLowerCase());
  return useQuery({
    queryKey: projectAccessKeys.candidates(teamSlug, projectId, kind, settled),
    queryFn: async () => {
      const result = await searchGrantCandidatesAction(teamSlug, { projectId, kind, query: settled });
      if (!result.ok) throw new ActionFailure(result.error, result.code, result.fieldErrors);
      return result.data;
    },
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

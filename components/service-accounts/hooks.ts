"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useActionMutation, ActionFailure } from "@/lib/hooks/use-action-mutation";
import {
  createApiKeyAction,
  keyProjectChoicesAction,
  createServiceAccountAction,
  deleteServiceAccountAction,
  listServiceAccountsAction,
  restrictApiKeyAction,
  revokeApiKeyAction,
  suggestKeyRestrictionsAction,
  rotateApiKeyAction,
  setServiceAccountStatusAction,
  updateServiceAccountAction,
} from "@/lib/service-accounts/actions";
import type { ServiceAccountRow, TPlace } from "@/lib/service-accounts";
import type { TListFilters } from "@/lib/service-accounts/schemas";

export type ServiceAccountsPage = {
  items: ServiceAccountRow[];
  total: number;
  page: number;
  pageSize: number;
};

/** Query keys for service-account data, from one factory. */
export const serviceAccountKeys = {
  all: ["service-accounts"] as const,
  list: (place: TPlace, filters: TListFilters) => ["service-accounts", "list", place, filters] as const,
};

export function useServiceAccounts(place: TPlace, filters: TListFilters, initialData?: ServiceAccountsPage) {
  return useQuery({
    queryKey: serviceAccountKeys.list(place, filters),
    queryFn: async () => {
      const result = await listServiceAccountsAction(place, filters);
      if (!result.ok) throw new ActionFailure(result.error, result.code, result.fieldErrors);
      return result.data;
    },
    initialData,
    placeholderData: keepPreviousData,
  });
}

const invalidate = serviceAccountKeys.all;

/** The projects a key of this account could be limited to, fetched when the picker opens. */
export function useKeyProjectChoices(accountId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["service-accounts", "key-project-choices", accountId],
    queryFn: async () => {
      const result = await keyProjectChoicesAction(accountId);
      if (!result.ok) throw new ActionFailure(result.error, result.code, result.fieldErrors);
      return result.data;
    },
    enabled,
  });
}

/** Restrict (rule 27): the proposal from the key's last 30 days, fetched when the dialog opens. */
export function useKeyRestrictionSuggestion(accountId: string, apiKeyId: string) {
  return useQuery({
    queryKey: ["service-accounts", "key-suggestion", accountId, apiKeyId],
    queryFn: async () => {
      const result = await suggestKeyRestrictionsAction(accountId, apiKeyId);
      if (!result.ok) throw new ActionFailure(result.error, result.code, result.fieldErrors);
      return result.data;
    },
    // Always the use as of now: the dialog must not pre-fill from a stale proposal.
    staleTime: 0,
    gcTime: 0,
  });
}

export const useRestrictApiKey = (accountId: string, onSuccess?: () => void) =>
  useActionMutation(
    (input: { apiKeyId: string; form: Record<string, unknown> }) =>
      restrictApiKeyAction(accountId, input.apiKeyId, input.form),
    { invalidate, onSuccess },
  );

export const useCreateServiceAccount = (
  place: TPlace,
  onSuccess?: (account: { id: string; name: string }) => void,
) =>
  useActionMutation((input: Record<string, string>) => createServiceAccountAction(place, input), {
    invalidate,
    onSuccess,
  });

export const useUpdateServiceAccount = (accountId: string, onSuccess?: () => void) =>
  useActionMutation((input: Record<string, string>) => updateServiceAccountAction(accountId, input), {
    invalidate,
    onSuccess,
  });

export const useSetServiceAccountStatus = (accountId: string) =>
  useActionMutation((status: "ACTIVE" | "DISABLED") => setServiceAccountStatusAction(accountId, { status }), {
    invalidate,
  });

export const useDeleteServiceAccount = (accountId: string, onSuccess?: () => void) =>
  useActionMutation((confirmName: string) => deleteServiceAccountAction(accountId, { confirmName }), {
    invalidate,
    onSuccess,
  });

// The new key's secret lives only in this mutation's state: no cache entry, no page refresh that
// could carry it, and reset() drops it when the reveal closes.
export const useCreateApiKey = (accountId: string) =>
  useActionMutation((input: Record<string, unknown>) => createApiKeyAction(accountId, input), {
    refresh: false,
    holdsSecret: true,
  });

export const useRevokeApiKey = (accountId: string) =>
  useActionMutation((apiKeyId: string) => revokeApiKeyAction(accountId, apiKeyId), { invalidate });

// Like creation: the new secret lives only in the mutation's state until the reveal closes.
export const useRotateApiKey = (accountId: string) =>
  useActionMutation(
    (input: { apiKeyId: string; graceHours: number }) =>
      rotateApiKeyAction(accountId, input.apiKeyId, { graceHours: input.graceHours }),
    { refresh: false, holdsSecret: true },
  );

"use client";

import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { ActionResult } from "@/lib/actions/result";

/** An action's failure, carrying its message and field errors for the form. */
export class ActionFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Wraps a server action in a react-query mutation: failures become errors with field messages;
 * success invalidates the given queries and refreshes the server-rendered page.
 */
export function useActionMutation<TInput, TData>(
  action: (input: TInput) => Promise<ActionResult<TData>>,
  options: {
    onSuccess?: (data: TData) => void;
    refresh?: boolean;
    invalidate?: QueryKey;
    /** Set for results holding a secret: the mutation leaves react-query's cache once reset. */
    holdsSecret?: boolean;
  } = {},
) {
  const router = useRouter();
  const queryClient = useQueryClient();
  return useMutation<TData, ActionFailure, TInput>({
    ...(options.holdsSecret ? { gcTime: 0 } : {}),
    mutationFn: async (input) => {
      const result = await action(input);
      if (!result.ok) throw new ActionFailure(result.error, result.code, result.fieldErrors);
      return result.data;
    },
    onSuccess: async (data) => {
      options.onSuccess?.(data);
      if (options.invalidate) await queryClient.invalidateQueries({ queryKey: options.invalidate });
      if (options.refresh !== false) router.refresh();
    },
  });
}

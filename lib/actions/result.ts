import { z } from "zod";
import { AppError } from "@/lib/errors";
import { isRecordGone, isUniqueViolation } from "@/lib/db/errors";
import { fieldErrorsOf } from "@/lib/validation/slug";
import { logError } from "@/lib/ops/log";

/** What every server action returns: data, or a message (and field errors) to show. */
export type ActionResult<T = undefined> =
  { ok: true; data: T } | { ok: false; code: string; error: string; fieldErrors?: Record<string, string> };

/**
 * Runs an action body and turns expected failures into results the form can show. Anything
 * unexpected is logged without its input and reported as a generic message.
 */
export async function runAction<T>(body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (error) {
    if (error instanceof AppError) {
      return { ok: false, code: error.code, error: error.message, fieldErrors: error.fieldErrors };
    }
    if (isUniqueViolation(error)) {
      return {
        ok: false,
        code: "CONFLICT",
        error: "Another change just used that name. Choose another one and try again.",
      };
    }
    if (isRecordGone(error)) {
      return {
        ok: false,
        code: "NOT_FOUND",
        error: "It was just removed by another change. Reload the page.",
      };
    }
    if (error instanceof z.ZodError) {
      const fieldErrors = fieldErrorsOf(error);
      return { ok: false, code: "INVALID", error: "Check the highlighted fields.", fieldErrors };
    }
    logError("Unexpected error in a server action", error);
    return { ok: false, code: "INTERNAL", error: "Something went wrong on our side. Try again." };
  }
}

/** Parses action input with a schema, throwing field errors as an AppError. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new AppError("INVALID", "Check the highlighted fields.", fieldErrorsOf(parsed.error));
  }
  return parsed.data;
}

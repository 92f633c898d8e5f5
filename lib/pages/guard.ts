import { forbidden, notFound, redirect } from "next/navigation";
import { AppError } from "@/lib/errors";
import { isWellFormedText } from "@/lib/validation/text";

/** Runs a page's data load, turning expected refusals into a 403 page, a 404 page or sign-in. */
export async function loadOrFail<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (error instanceof AppError) {
      if (error.code === "FORBIDDEN") forbidden();
      if (error.code === "NOT_FOUND") notFound();
      if (error.code === "UNAUTHENTICATED") redirect("/login");
    }
    throw error;
  }
}

/**
 * A dynamic route segment, percent-decoded. A malformed escape (`%E0%A4%A`) names nothing that
 * exists, so it is a 404 page, never a 500.
 */
export function decodeParam(segment: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    notFound();
  }
  if (!isWellFormedText(decoded)) notFound();
  return decoded;
}

import { AppError } from "@/lib/errors";

/** The AppError code a call fails with, or "OK". Anything else is a real failure and rethrown. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "OK";
}

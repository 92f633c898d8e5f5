import { z } from "zod";
import { ZProjectName } from "@/lib/projects/schemas";

/** Largest JSON body the API reads; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

const ZJsonObject = z.record(z.string().max(256), z.unknown(), {
  message: "must be a JSON object",
});

const ZOptionalText = (max: number) => z.string().trim().min(1).max(max).optional();

export const ZCreateRunInput = z
  .object({
    entity: z.string().trim().min(1).max(64).optional(),
    project: ZProjectName,
    name: ZOptionalText(128),
    config: ZJsonObject.optional(),
    summary: ZJsonObject.optional(),
    username: ZOptionalText(128),
    userEmail: z
      .string()
      .trim()
      .toLowerCase()
      .max(254)
      .pipe(z.email({ message: "must be an email address" }))
      .optional(),
  })
  .strict();
export type TCreateRunInput = z.infer<typeof ZCreateRunInput>;

export const ZListRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

/** "field: problem; field: problem" — one line that says what to fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
}

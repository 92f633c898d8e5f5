import { z } from "zod";
import { isWellFormedText, zText } from "@/lib/validation/text";
import { ZProjectName } from "@/lib/projects/schemas";

/** Largest JSON body the API reads; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/** How deeply config and summary may nest: plenty for real settings, far from any stack limit. */
export const MAX_JSON_DEPTH = 32;

/**
 * The nesting depth of a parsed JSON value, measured without recursion so that a body nested
 * thousands of levels deep is measured, not a stack overflow.
 */
export function jsonDepth(value: unknown, stopAfter = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > stopAfter) return deepest;
    for (const child of Object.values(node)) stack.push([child, level]);
  }
  return deepest;
}

/** True when every key and string inside a (depth-checked) JSON value is storable text. */
export function jsonTextIsStorable(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === "string") {
      if (!isWellFormedText(node)) return false;
    } else if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) {
        if (!isWellFormedText(key)) return false;
        stack.push(child);
      }
    }
  }
  return true;
}

const ZJsonObject = z
  .record(zText().max(256), z.unknown(), { message: "must be a JSON object" })
  .refine((value) => jsonDepth(value, MAX_JSON_DEPTH) <= MAX_JSON_DEPTH, {
    message: `must not nest more than ${MAX_JSON_DEPTH} levels deep`,
    abort: true,
  })
  .refine(jsonTextIsStorable, {
    message: "must hold only valid Unicode text without NUL characters (\\u0000)",
  });

const ZOptionalText = (max: number) => zText().trim().min(1).max(max).optional();

export const ZCreateRunInput = z
  .object({
    entity: zText().trim().min(1).max(64).optional(),
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

export const ZListRunsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: zText().max(200).optional(),
  })
  .strict();

/** "field: problem; field: problem" — one line that says what to fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
}

// Answers, as documented in openapi.json and checked against every answer the tests receive.

export const ZErrorAnswer = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

export const ZViewerAnswer = z.object({
  principal: z.object({
    type: z.literal("service_account"),
    id: z.string(),
    name: z.string(),
    identity: z.string(),
    scope: z.enum(["org", "team"]),
    organization: z.string(),
    team: z.string().nullable(),
    defaultEntity: z.string(),
    role: z.enum(["admin", "member", "viewer"]),
  }),
  credential: z.object({
    type: z.enum(["api_key", "access_token"]),
    id: z.string(),
    name: z.string().nullable(),
    expiresAt: z.string().nullable(),
  }),
});

export const ZCreateRunAnswer = z.object({
  run: z.object({
    id: z.string(),
    entity: z.string(),
    project: z.string(),
    name: z.string(),
    createdBy: z.string(),
    attributedTo: z.string().nullable(),
  }),
  warnings: z.array(z.string()),
});

export const ZListRunsAnswer = z.object({
  runs: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      createdBy: z.string(),
      attributedTo: z.string().nullable(),
      createdAt: z.string(),
      config: z.record(z.string(), z.unknown()),
      summary: z.record(z.string(), z.unknown()),
      /** The verified workload claims (repository, ref, actor, run_id…) when written with an access token; {} otherwise. */
      workload: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const ZRunsPathParams = z.object({
  entity: zText().min(1).max(64),
  project: zText().min(1).max(128),
});

// What a run is made of (SPEC §4 POST /api/v1/runs): the domain's input, parsed by every door.
import { z } from "zod";
import { isWellFormedText, zText } from "@/lib/validation/text";
import { ZProjectName } from "@/lib/projects/schemas";

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

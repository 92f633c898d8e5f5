// SCIM PATCH (RFC 7644 §3.5.2), applied by scim-patch to the resource as Deputy serves it; the
// domain then stores what changed. Before that, the shapes real clients send are made standard:
// Microsoft Entra ID capitalises ops ("Replace") and sends booleans as strings ("False"), and
// removes group members with a value list instead of a filtered path.
import { scimPatch, type ScimPatchOperation } from "scim-patch";
import { z } from "zod";
import { ScimError } from "./errors";
import { PATCH_SCHEMA } from "./resources";

const MAX_OPERATIONS = 1000;

const ZPatchBody = z.object({
  schemas: z.array(z.string()).optional(),
  Operations: z
    .array(
      z.object({
        op: z.string().max(16),
        path: z.string().max(1000).optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(MAX_OPERATIONS),
});

/** "True"/"False" (any case) as booleans, deeply: Entra's way of sending `active`. */
function booleansOf(value: unknown): unknown {
  if (typeof value === "string" && /^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  if (Array.isArray(value)) return value.map(booleansOf);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, booleansOf(v)]));
  }
  return value;
}

/** Operations as scim-patch expects them, or a 400 invalidSyntax that names the problem. */
export function normalisedOperations(body: unknown): ScimPatchOperation[] {
  const parsed = ZPatchBody.safeParse(body);
  if (!parsed.success) {
    throw new ScimError(
      400,
      `A PATCH body is {"schemas":["${PATCH_SCHEMA}"],"Operations":[{"op":"add"|"replace"|"remove","path":…,"value":…}]} (at most ${MAX_OPERATIONS} operations).`,
      "invalidSyntax",
    );
  }
  const out: ScimPatchOperation[] = [];
  for (const operation of parsed.data.Operations) {
    const op = operation.op.toLowerCase();
    if (op !== "add" && op !== "replace" && op !== "remove") {
      throw new ScimError(
        400,
        `Unknown PATCH op "${operation.op}": use add, replace or remove.`,
        "invalidSyntax",
      );
    }
    // Only `active` is boolean among the attributes served, so the conversion is safe.
    const value = booleansOf(operation.value);
    const path = operation.path?.trim() || undefined;
    if (op === "remove") {
      if (!path) throw new ScimError(400, "A remove operation needs a path.", "noTarget");
      // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes those members.
      if (/^members$/i.test(path) && Array.isArray(value)) {
        for (const member of value) {
          const id = (member as { value?: unknown } | null)?.value;
          if (typeof id !== "string" || /["\\]/.test(id)) {
            throw new ScimError(400, 'Each member to remove is {"value": "<user id>"}.', "invalidValue");
          }
          out.push({ op: "remove", path: `members[value eq "${id}"]` });
        }
        continue;
      }
      out.push({ op: "remove", path });
    } else {
      out.push({ op, ...(path ? { path } : {}), value });
    }
  }
  return out;
}

/** The resource after the operations, or a 400 that says which operation could not apply. */
export function applyPatch<T extends { schemas: string[]; meta: unknown }>(
  resource: T,
  operations: ScimPatchOperation[],
): T {
  try {
    return scimPatch(resource as never, operations, { mutateDocument: false, treatMissingAsAdd: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : "The operation could not be applied.";
    const noTarget = (error as { scimType?: string } | null)?.scimType === "noTarget";
    throw new ScimError(400, message.slice(0, 300), noTarget ? "noTarget" : "invalidPath");
  }
}

import { z } from "zod";

// A lone UTF-16 surrogate ("\ud800" in JSON) is a valid JavaScript string but not text: the
// database driver cannot encode it and fails with a server error. Refuse it at the edge.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** True for a string that is well-formed Unicode (no lone surrogates). */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** `z.string()` that refuses malformed Unicode; use it for every string a request can carry. */
export function zText() {
  return z.string().refine(isWellFormedText, { message: "must be valid Unicode text" });
}

/** A short, well-formed string: what a slug or record id from the network must be to name anything. */
export function isBoundedId(value: unknown, max = 64): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max && isWellFormedText(value);
}

import { z } from "zod";

// Two things a JavaScript string may hold that a database cannot store: a lone UTF-16 surrogate
// ("\ud800" in JSON; SQLite's driver cannot encode it) and a NUL character (PostgreSQL text
// refuses it). Either would surface as a server error, so they are refused at the edge.
const LONE_SURROGATE = /\p{Surrogate}/u;
const NUL = String.fromCharCode(0);

/** True for a string that is well-formed Unicode without NUL characters: storable text. */
export function isWellFormedText(value: string): boolean {
  return !value.includes(NUL) && !LONE_SURROGATE.test(value);
}

/** `z.string()` that refuses malformed Unicode; use it for every string a request can carry. */
export function zText() {
  return z
    .string()
    .refine(isWellFormedText, { message: "must be valid Unicode text without NUL characters" });
}

/** A short, well-formed string: what a slug or record id from the network must be to name anything. */
export function isBoundedId(value: unknown, max = 64): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max && isWellFormedText(value);
}

/** The first `max` UTF-16 units of `value`, never ending in half of a surrogate pair. */
export function truncateText(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

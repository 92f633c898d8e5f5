// Cursors of "newest first" lists (runs, audit events): the position after the last row shown,
// as base64url("<epoch ms>|<id>"). Only the exact form this module writes is read back, so a
// tampered cursor is refused instead of being taken as some other position.
import { isBoundedId } from "./text";

export function encodeTimeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}|${id}`).toString("base64url");
}

/** The position a cursor names, or null when it is not one this module wrote. */
export function decodeTimeCursor(cursor: string): { at: Date; id: string } | null {
  const [time, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(Number(time));
  if (!id || !isBoundedId(id) || Number.isNaN(at.getTime()) || encodeTimeCursor(at, id) !== cursor)
    return null;
  return { at, id };
}

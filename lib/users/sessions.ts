import { db } from "@/lib/db";

/**
 * Ends every session of a person that was issued under `sessionVersion` (sign-out). A token that
 * is already stale changes nothing, so an old copied cookie cannot sign someone out again and again.
 */
export async function endSessions(userId: string, sessionVersion: number): Promise<void> {
  await db.user.updateMany({
    where: { id: userId, sessionVersion },
    data: { sessionVersion: { increment: 1 } },
  });
}

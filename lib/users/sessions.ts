// People's sessions (rule 36): one row per signed-in browser. The signed session cookie carries
// the row's id; every request reads the row (with the person, in the same query the console
// already made), so a session ended here is refused on the next request on every instance.
import { randomBytes } from "node:crypto";
import { db, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { auditSourceOf, type PersonPrincipal } from "@/lib/core/principal";
import { authorizeOrg } from "@/lib/authz/guard";
import { AppError } from "@/lib/errors";

/** How long a session lasts after sign-in (the cookie's own lifetime is the same). */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;
/** Last seen is written at most this often per session: a page view is not a write. */
const LAST_SEEN_EVERY_MS = 60_000;
const USER_AGENT_MAX = 512;

export type SessionMethod = "password" | "sso";
export type SessionUserRow = { id: string; email: string; name: string; mustChangePassword: boolean };

/** Opens a session for a person who just proved who they are; returns its id for the cookie. */
export async function openSession(
  userId: string,
  source: { method: SessionMethod; ip: string | null; userAgent: string | null },
  client: Tx | typeof db = db,
): Promise<string> {
  const id = randomBytes(24).toString("base64url");
  await client.userSession.create({
    data: {
      id,
      userId,
      method: source.method,
      ip: source.ip,
      userAgent: source.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      expiresAt: new Date(Date.now() + SESSION_MAX_AGE_S * 1000),
    },
  });
  return id;
}

/** The person of a live session, or null (ended, expired, unknown). Moves last seen on. */
export async function sessionUser(sessionId: string): Promise<SessionUserRow | null> {
  const session = await db.userSession.findUnique({
    where: { id: sessionId },
    select: {
      endedAt: true,
      expiresAt: true,
      lastSeenAt: true,
      user: { select: { id: true, email: true, name: true, mustChangePassword: true } },
    },
  });
  const now = Date.now();
  if (!session || session.endedAt || session.expiresAt.getTime() <= now) return null;
  if (now - session.lastSeenAt.getTime() > LAST_SEEN_EVERY_MS) {
    await db.userSession.updateMany({
      where: { id: sessionId, lastSeenAt: session.lastSeenAt },
      data: { lastSeenAt: new Date(now) },
    });
  }
  return session.user;
}

/** Ends one session (signing out). Ending an ended or unknown session changes nothing. */
export async function endSession(sessionId: string): Promise<void> {
  await db.userSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: new Date() } });
}

/**
 * Ends every live session of a person, optionally keeping one (the browser that changed the
 * password). Runs in the caller's transaction so it commits with the change that requires it.
 */
export async function endAllSessions(
  userId: string,
  client: Tx | typeof db = db,
  except?: string,
): Promise<number> {
  const { count } = await client.userSession.updateMany({
    where: { userId, endedAt: null, ...(except ? { id: { not: except } } : {}) },
    data: { endedAt: new Date() },
  });
  return count;
}

export type OwnSession = {
  id: string;
  method: SessionMethod;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
};

/** The caller's live sessions, most recently seen first, marking the one making this request. */
export async function listOwnSessions(caller: PersonPrincipal): Promise<OwnSession[]> {
  const rows = await db.userSession.findMany({
    where: { userId: caller.user.id, endedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { lastSeenAt: "desc" },
    take: 100,
    select: { id: true, method: true, userAgent: true, ip: true, createdAt: true, lastSeenAt: true },
  });
  return rows.map((r) => ({
    ...r,
    method: r.method === "sso" ? "sso" : "password",
    current: r.id === caller.sessionId,
  }));
}

/** Sign out everywhere: ends every session of the caller, this one included. */
export async function endOwnSessions(caller: PersonPrincipal): Promise<{ ended: number }> {
  return { ended: await endAllSessions(caller.user.id) };
}

/**
 * An org admin ends a member's sessions (Members → End sessions): every session the person has,
 * since a session is not bound to one org. Audited in this org.
 */
export async function endMemberSessions(
  caller: PersonPrincipal,
  orgSlug: string,
  userId: unknown,
): Promise<{ ended: number }> {
  const { org } = await authorizeOrg(caller, orgSlug, "org.manage_members");
  if (typeof userId !== "string" || userId.length === 0 || userId.length > 64) {
    throw new AppError("INVALID", "Choose a member of this organization.");
  }
  return db.$transaction(async (tx) => {
    const membership = await tx.orgMembership.findUnique({
      where: { orgId_userId: { orgId: org.id, userId } },
      select: { user: { select: { email: true } } },
    });
    if (!membership) throw new AppError("NOT_FOUND", "That person is not a member of this organization.");
    const ended = await endAllSessions(userId, tx);
    await recordAudit(tx, {
      orgId: org.id,
      ...auditSourceOf(caller),
      action: "user.sessions_ended",
      target: { type: "user", id: userId, name: membership.user.email },
      metadata: { sessions: ended },
    });
    return { ended };
  });
}

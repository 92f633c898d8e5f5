// Sessions as the server sees them: a one-time password allows nothing but changing it, and
// signing out ends the session on the server, not only in the browser.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

const session = vi.hoisted(() => ({
  current: null as null | { user: { id: string; sessionId: string } },
}));
vi.mock("next-auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next-auth")>()),
  getServerSession: async () => session.current,
}));
vi.mock("@/lib/request-context", () => ({
  requestSource: async () => ({ ip: "198.51.100.9", userAgent: "vitest" }),
  requestPath: async () => "/",
}));

const { requireActionCaller, getSessionUser } = await import("@/lib/auth/session");
const { authOptions } = await import("@/lib/auth/options");
const { createTeamAction } = await import("@/lib/teams/actions");
const { makeOrg } = await import("../support/factories");
const { openSession } = await import("@/lib/users/sessions");
const { listOwnSessionsAction, signOutEverywhereAction } = await import("@/lib/users/actions");
const { endMemberSessionsAction, removeOrgMemberAction } = await import("@/lib/orgs/actions");

beforeEach(() => {
  session.current = null;
});

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  return promise.then(
    () => null,
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );
}

describe("a one-time password", () => {
  it("refuses every server action but changing the password", async () => {
    const { org, people } = await makeOrg();
    await db.user.update({ where: { id: people.orgAdmin.id }, data: { mustChangePassword: true } });
    session.current = {
      user: {
        id: people.orgAdmin.id,
        sessionId: await openSession(people.orgAdmin.id, { method: "password", ip: null, userAgent: null }),
      },
    };

    expect(await codeOf(requireActionCaller())).toBe("FORBIDDEN");
    expect(await codeOf(requireActionCaller({ allowPendingPasswordChange: true }))).toBeNull();
    // Through a real action: nothing is created.
    expect(await createTeamAction(org.slug, { slug: "sneaky-team", name: "Sneaky" })).toMatchObject({
      ok: false,
      code: "FORBIDDEN",
    });
    expect(await db.team.count({ where: { slug: "sneaky-team" } })).toBe(0);

    await db.user.update({ where: { id: people.orgAdmin.id }, data: { mustChangePassword: false } });
    expect(await createTeamAction(org.slug, { slug: "honest-team", name: "Honest" })).toMatchObject({
      ok: true,
    });
  });
});

describe("sessions (rule 36)", () => {
  async function signedIn(userId: string, userAgent = "vitest") {
    const sessionId = await openSession(userId, { method: "password", ip: "198.51.100.9", userAgent });
    return { user: { id: userId, sessionId } };
  }

  it("signing out ends this session only: a copied cookie opens nothing, the other browser stays in", async () => {
    const { people } = await makeOrg();
    const laptop = await signedIn(people.orgMember.id, "laptop");
    const phone = await signedIn(people.orgMember.id, "phone");
    session.current = laptop;
    expect((await getSessionUser())?.id).toBe(people.orgMember.id);

    await authOptions.events!.signOut!({
      token: { sub: people.orgMember.id, sid: laptop.user.sessionId },
      session: null as never,
    });

    session.current = laptop;
    expect(await getSessionUser()).toBeNull();
    expect(await codeOf(requireActionCaller())).toBe("UNAUTHENTICATED");
    session.current = phone;
    expect((await getSessionUser())?.id).toBe(people.orgMember.id);
    // Signing out again with the stale cookie changes nothing.
    await authOptions.events!.signOut!({
      token: { sub: people.orgMember.id, sid: laptop.user.sessionId },
      session: null as never,
    });
    expect(await db.userSession.count({ where: { userId: people.orgMember.id, endedAt: null } })).toBe(1);
  });

  it("a session id does not open another person's account", async () => {
    const { people } = await makeOrg();
    const mine = await signedIn(people.orgMember.id);
    session.current = { user: { id: people.orgAdmin.id, sessionId: mine.user.sessionId } };
    expect(await getSessionUser()).toBeNull();
    session.current = { user: { id: people.orgMember.id, sessionId: "made-up" } };
    expect(await getSessionUser()).toBeNull();
  });

  it("lists one's own sessions, marks this one, and Sign out everywhere ends them all", async () => {
    const { people } = await makeOrg();
    const laptop = await signedIn(people.orgMember.id, "laptop");
    await signedIn(people.orgMember.id, "phone");
    const other = await signedIn(people.orgAdmin.id, "someone else");
    session.current = laptop;
    const listed = await listOwnSessionsAction();
    expect(listed.ok && listed.data.map((s) => [s.userAgent, s.current]).sort()).toEqual([
      ["laptop", true],
      ["phone", false],
    ]);
    expect(await signOutEverywhereAction()).toMatchObject({ ok: true, data: { ended: 2 } });
    expect(await getSessionUser()).toBeNull();
    expect(await db.userSession.count({ where: { userId: people.orgMember.id, endedAt: null } })).toBe(0);
    session.current = other;
    expect((await getSessionUser())?.id).toBe(people.orgAdmin.id);
  });

  it("an org admin ends a member's sessions (audited); nobody else can, and not across orgs", async () => {
    const { org, people } = await makeOrg();
    const stranger = await makeOrg();
    const member = await signedIn(people.orgMember.id);
    const admin = await signedIn(people.orgAdmin.id);
    const teamAdmin = await signedIn(people.alphaAdmin.id);
    const otherAdmin = await signedIn(stranger.people.orgAdmin.id);

    for (const caller of [member, teamAdmin, otherAdmin]) {
      session.current = caller;
      const refused = await endMemberSessionsAction(org.slug, { userId: people.orgMember.id });
      expect(refused).toMatchObject({ ok: false });
    }
    session.current = otherAdmin;
    // Another org's admin cannot end the sessions of a person who is not in their org.
    expect(await endMemberSessionsAction(stranger.org.slug, { userId: people.orgMember.id })).toMatchObject({
      ok: false,
      code: "NOT_FOUND",
    });
    session.current = member;
    expect((await getSessionUser())?.id).toBe(people.orgMember.id);

    session.current = admin;
    expect(await endMemberSessionsAction(org.slug, { userId: people.orgMember.id })).toMatchObject({
      ok: true,
      data: { ended: 1 },
    });
    session.current = member;
    expect(await getSessionUser()).toBeNull();
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "user.sessions_ended" },
    });
    expect(event).toMatchObject({ actorId: people.orgAdmin.id, targetId: people.orgMember.id });
  });

  it("removing a person from the org ends their sessions at once", async () => {
    const { org, people } = await makeOrg();
    const member = await signedIn(people.orgMember.id);
    session.current = await signedIn(people.orgAdmin.id);
    expect(await removeOrgMemberAction(org.slug, { userId: people.orgMember.id })).toMatchObject({
      ok: true,
    });
    session.current = member;
    expect(await getSessionUser()).toBeNull();
  });

  it("an expired session is refused", async () => {
    const { people } = await makeOrg();
    const member = await signedIn(people.orgMember.id);
    await db.userSession.update({
      where: { id: member.user.sessionId },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    session.current = member;
    expect(await getSessionUser()).toBeNull();
  });
});

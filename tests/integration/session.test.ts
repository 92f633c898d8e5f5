// Sessions as the server sees them: a one-time password allows nothing but changing it, and
// signing out ends the session on the server, not only in the browser.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";

const session = vi.hoisted(() => ({
  current: null as null | { user: { id: string; sessionVersion: number } },
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
    session.current = { user: { id: people.orgAdmin.id, sessionVersion: 0 } };

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

describe("sign-out", () => {
  it("ends the session on the server: a cookie copied before sign-out opens nothing afterwards", async () => {
    const { people } = await makeOrg();
    const copied = { user: { id: people.orgMember.id, sessionVersion: 0 } };
    session.current = copied;
    expect((await getSessionUser())?.id).toBe(people.orgMember.id);

    await authOptions.events!.signOut!({
      token: { sub: people.orgMember.id, sv: 0 },
      session: null as never,
    });

    session.current = copied;
    expect(await getSessionUser()).toBeNull();
    expect(await codeOf(requireActionCaller())).toBe("UNAUTHENTICATED");
    // Signing out again with the stale cookie changes nothing.
    await authOptions.events!.signOut!({
      token: { sub: people.orgMember.id, sv: 0 },
      session: null as never,
    });
    expect((await db.user.findUniqueOrThrow({ where: { id: people.orgMember.id } })).sessionVersion).toBe(1);
  });
});

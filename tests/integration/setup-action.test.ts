// The setup action on an empty database (its own file, so nothing else has created users yet).
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";

vi.mock("@/lib/request-context", () => ({
  requestSource: async () => ({ ip: "198.51.100.9", userAgent: "vitest" }),
}));

const hashCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/auth/password")>();
  return {
    ...original,
    hashPassword: async (password: string) => {
      hashCalls.count += 1;
      return original.hashPassword(password);
    },
  };
});

const { setupAction } = await import("@/lib/orgs/actions");

describe("setupAction", () => {
  it("run setup once and refuse it afterwards", async () => {
    const input = {
      orgName: "Solo",
      orgSlug: "solo",
      name: "Sam",
      email: "sam@example.com",
      password: "long enough password",
    };
    expect(await setupAction(input)).toMatchObject({ ok: true, data: { orgSlug: "solo" } });
    expect(hashCalls.count).toBe(1);
    expect(await setupAction({ ...input, orgSlug: "solo-2", email: "eve@example.com" })).toMatchObject({
      ok: false,
      code: "CONFLICT",
    });
    // Once set up, the unauthenticated endpoint refuses before spending scrypt's CPU and memory.
    expect(hashCalls.count).toBe(1);
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "org.created" } });
    expect(event.ip).toBe("198.51.100.9");
  });
});

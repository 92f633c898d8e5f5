// The first run: /setup creates the first organization and its admin, once, on an empty database.
import { db } from "@/lib/db";
import { recordAudit } from "@/lib/audit/record";
import { hashPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { parseInput } from "@/lib/actions/result";
import { ZSetupInput } from "./schemas";

/** True once anyone exists: /setup is then closed for good. */
export async function isSetUp(): Promise<boolean> {
  return (await db.user.count()) > 0;
}

/** Creates the first organization and its first admin on an empty database. */
export async function createFirstOrganization(
  input: unknown,
  source: { ip: string | null; userAgent: string | null },
) {
  const data = parseInput(ZSetupInput, input);
  // Check before hashing: scrypt costs ~50 ms and 32 MiB, and this endpoint needs no session,
  // so once setup is done it must not be a free CPU and memory lever. The transaction checks
  // again, for two setups racing.
  if ((await db.user.count()) > 0) {
    throw new AppError("CONFLICT", "Deputy is already set up. Sign in instead.");
  }
  const passwordHash = await hashPassword(data.password);
  return db.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) {
      throw new AppError("CONFLICT", "Deputy is already set up. Sign in instead.");
    }
    const org = await tx.organization.create({ data: { slug: data.orgSlug, name: data.orgName } });
    const user = await tx.user.create({ data: { email: data.email, name: data.name, passwordHash } });
    await tx.orgMembership.create({ data: { orgId: org.id, userId: user.id, role: "ADMIN" } });
    const actor = { type: "USER" as const, id: user.id, identity: user.email };
    await recordAudit(tx, {
      orgId: org.id,
      actor,
      action: "org.created",
      target: { type: "organization", id: org.id, name: org.slug },
      metadata: { name: org.name, via: "setup" },
      ...source,
    });
    await recordAudit(tx, {
      orgId: org.id,
      actor,
      action: "org.member_added",
      target: { type: "user", id: user.id, name: user.email },
      metadata: { role: "ADMIN" },
      ...source,
    });
    return { orgSlug: org.slug, email: user.email };
  });
}

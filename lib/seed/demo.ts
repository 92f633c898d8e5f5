import type { PrismaClient } from "@/lib/generated/prisma/client";
import { hashPassword } from "@/lib/auth/password";
import { recordAudit } from "@/lib/audit/record";

/** DEMO ONLY: every demo user signs in with this password. Never use it for real accounts. */
export const DEMO_PASSWORD = "deputy-demo-password";

export const DEMO_USERS = [
  { email: "org-admin@acme.test", name: "Olivia Org-Admin", orgRole: "ADMIN", teams: [] },
  {
    email: "team-admin@acme.test",
    name: "Tariq Team-Admin",
    orgRole: "MEMBER",
    teams: [["ml-team", "ADMIN"]],
  },
  { email: "member@acme.test", name: "Mia Member", orgRole: "MEMBER", teams: [["ml-team", "MEMBER"]] },
  {
    email: "research-admin@acme.test",
    name: "Rosa Research-Admin",
    orgRole: "MEMBER",
    teams: [["research", "ADMIN"]],
  },
] as const;

const DEMO_PROJECTS = [
  { team: "ml-team", name: "production-models", visibility: "TEAM" },
  { team: "ml-team", name: "secret-eval", visibility: "RESTRICTED" },
  { team: "research", name: "shared-bench", visibility: "OPEN" },
  { team: "research", name: "private-notes", visibility: "TEAM" },
] as const;

/**
 * Seeds SPEC §6's demo organization. Returns false (and changes nothing) when org "acme"
 * already exists.
 */
export async function seedDemo(db: PrismaClient): Promise<boolean> {
  if (await db.organization.findUnique({ where: { slug: "acme" }, select: { id: true } })) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.$transaction(async (tx) => {
    const org = await tx.organization.create({ data: { slug: "acme", name: "Acme Corp", seatLimit: 10 } });
    const teams = {
      "ml-team": await tx.team.create({ data: { orgId: org.id, slug: "ml-team", name: "ML Team" } }),
      research: await tx.team.create({ data: { orgId: org.id, slug: "research", name: "Research" } }),
    };
    for (const u of DEMO_USERS) {
      const user = await tx.user.upsert({
        where: { email: u.email },
        update: {},
        create: { email: u.email, name: u.name, passwordHash },
      });
      await tx.orgMembership.create({ data: { orgId: org.id, userId: user.id, role: u.orgRole } });
      for (const [team, role] of u.teams) {
        await tx.teamMembership.create({ data: { teamId: teams[team].id, userId: user.id, role } });
      }
    }
    for (const p of DEMO_PROJECTS) {
      await tx.project.create({ data: { teamId: teams[p.team].id, name: p.name, visibility: p.visibility } });
    }
    await recordAudit(tx, {
      orgId: org.id,
      actor: { type: "SYSTEM", identity: "system" },
      action: "demo.seeded",
      target: { type: "organization", id: org.id, name: org.slug },
    });
  });
  return true;
}

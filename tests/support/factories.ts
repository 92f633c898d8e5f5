// Builders for integration tests: real rows in the test file's own database.
import crypto from "node:crypto";
import { db } from "@/lib/db";
import type { PersonPrincipal } from "@/lib/core/principal";

// A fixed, valid scrypt hash is not needed for most tests: they never sign in.
const NO_PASSWORD = "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const unique = () => crypto.randomBytes(4).toString("hex");

export async function makeUser(email = `user-${unique()}@example.test`, passwordHash = NO_PASSWORD) {
  return db.user.create({ data: { email, name: email.split("@")[0] ?? email, passwordHash } });
}

export function callerOf(user: { id: string; email: string; name: string }): PersonPrincipal {
  return {
    user: { id: user.id, email: user.email, name: user.name },
    ip: "203.0.113.7",
    userAgent: "vitest",
  };
}

/** An org with one admin, two teams (alpha, beta), and people in each team role. */
export async function makeOrg(options: { seatLimit?: number } = {}) {
  const slug = `org-${unique()}`;
  const org = await db.organization.create({
    data: { slug, name: `Org ${slug}`, seatLimit: options.seatLimit ?? 50 },
  });
  const alpha = await db.team.create({ data: { orgId: org.id, slug: `alpha-${unique()}`, name: "Alpha" } });
  const beta = await db.team.create({ data: { orgId: org.id, slug: `beta-${unique()}`, name: "Beta" } });
  const people = {
    orgAdmin: await makeUser(),
    orgMember: await makeUser(),
    alphaAdmin: await makeUser(),
    alphaMember: await makeUser(),
    alphaViewer: await makeUser(),
    betaAdmin: await makeUser(),
  };
  await db.orgMembership.createMany({
    data: Object.entries(people).map(([key, user]) => ({
      orgId: org.id,
      userId: user.id,
      role: key === "orgAdmin" ? ("ADMIN" as const) : ("MEMBER" as const),
    })),
  });
  await db.teamMembership.createMany({
    data: [
      { teamId: alpha.id, userId: people.alphaAdmin.id, role: "ADMIN" },
      { teamId: alpha.id, userId: people.alphaMember.id, role: "MEMBER" },
      { teamId: alpha.id, userId: people.alphaViewer.id, role: "VIEWER" },
      { teamId: beta.id, userId: people.betaAdmin.id, role: "ADMIN" },
    ],
  });
  const as = Object.fromEntries(Object.entries(people).map(([k, u]) => [k, callerOf(u)])) as Record<
    keyof typeof people,
    PersonPrincipal
  >;
  return { org, alpha, beta, people, as };
}

export async function auditActions(orgId: string) {
  const events = await db.auditEvent.findMany({ where: { orgId }, orderBy: { createdAt: "asc" } });
  return events.map((e) => e.action);
}

/**
 * Registers an issuer in an org straight in the database, with no keys: for tests of trust
 * settings that never verify a token (tests/integration/federation.test.ts registers real ones).
 */
export async function registerIssuer(orgId: string, issuer = "https://token.actions.githubusercontent.com") {
  return db.identityProvider.create({
    data: {
      orgId,
      issuer,
      name: "Test issuer",
      resolvedJwksUri: `${issuer}/jwks`,
      jwks: { keys: [] },
      refreshedAt: new Date(),
    },
  });
}

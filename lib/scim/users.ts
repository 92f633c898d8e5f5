// SCIM Users (rule 35): an org's people as its identity provider provisions them. userName is
// the email; `active: false` (or DELETE) removes the person from the org — their teams, project
// grants and seat — and ends their sessions at once. Every change is audited as the system,
// identity "scim". The SCIM token is the authorization: it stands for the org, nothing more.
import { z } from "zod";
import { db, type Tx } from "@/lib/db";
import { scimAudit, type ScimSource } from "./source";
import { isUniqueViolation } from "@/lib/db/errors";
import { lockRow } from "@/lib/db/row-lock";
import { AppError } from "@/lib/errors";
import { claimSeat } from "@/lib/orgs/members";
import { endAllSessions } from "@/lib/users/sessions";
import { ScimError, notFound } from "./errors";
import { parseEqualityFilter, pageOf } from "./filter";
import { applyPatch, normalisedOperations } from "./patch";
import { MAX_PAGE, USER_SCHEMA, listResponse, userResource, type ScimPerson } from "./resources";

const USER_FILTERS = ["userName", "externalId", "id", "emails.value"] as const;

const ZBool = z.union([
  z.boolean(),
  z.enum(["True", "False", "true", "false"]).transform((v) => v.toLowerCase() === "true"),
]);
const ZShortText = z.string().trim().max(200);

/** The part of a User that Deputy keeps; everything else a client sends is accepted and ignored. */
const ZUserBody = z.object({
  userName: z.string().trim().toLowerCase().max(254).pipe(z.email()),
  externalId: z.string().trim().max(255).nullish(),
  displayName: ZShortText.nullish(),
  name: z
    .object({
      formatted: ZShortText.nullish(),
      givenName: ZShortText.nullish(),
      familyName: ZShortText.nullish(),
    })
    .nullish(),
  active: ZBool.nullish(),
});
type UserBody = z.infer<typeof ZUserBody>;

function parseUser(body: unknown): UserBody {
  const parsed = ZUserBody.safeParse(body);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".") || "body";
    throw new ScimError(
      400,
      field === "userName"
        ? "userName is required and must be the person's email address."
        : `${field} is not valid: ${parsed.error.issues[0]?.message ?? "check its type"}.`,
      "invalidValue",
    );
  }
  return parsed.data;
}

/** Deputy's one display name from what the client sent, or the email's local part. */
function displayNameOf(body: UserBody): string {
  const given = [body.name?.givenName, body.name?.familyName].filter(Boolean).join(" ");
  const name =
    body.displayName || body.name?.formatted || given || body.userName.split("@")[0] || body.userName;
  return name.slice(0, 80);
}

/** What SCIM serves of a person in one org, read in one query. */
const personSelect = (orgId: string) =>
  ({
    id: true,
    email: true,
    name: true,
    createdAt: true,
    updatedAt: true,
    orgMemberships: { where: { orgId }, select: { id: true } },
    scimIdentities: { where: { orgId }, select: { externalId: true, active: true } },
    teamMemberships: {
      where: { team: { orgId } },
      orderBy: { team: { name: "asc" } },
      select: { team: { select: { id: true, name: true } } },
    },
  }) as const;

type PersonRow = {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
  updatedAt: Date;
  orgMemberships: { id: string }[];
  scimIdentities: { externalId: string | null; active: boolean }[];
  teamMemberships: { team: { id: string; name: string } }[];
};

/** A person as SCIM sees them in this org, or null when they are neither member nor SCIM-known. */
function toPerson(user: PersonRow): ScimPerson | null {
  const member = user.orgMemberships.length > 0;
  const identity = user.scimIdentities[0];
  if (!member && !identity) return null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    externalId: identity?.externalId ?? null,
    active: member,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    groups: user.teamMemberships.map((t) => t.team),
  };
}

async function loadPerson(client: Tx | typeof db, orgId: string, userId: string): Promise<ScimPerson | null> {
  const user = await client.user.findUnique({ where: { id: userId }, select: personSelect(orgId) });
  return user ? toPerson(user) : null;
}

async function requirePerson(client: Tx | typeof db, orgId: string, userId: string): Promise<ScimPerson> {
  const person = await loadPerson(client, orgId, userId);
  if (!person) throw notFound("User", userId);
  return person;
}

/**
 * GET /Users: the org's members and the people SCIM deactivated, by email, paged. The filters
 * clients use to find a person before creating them are answered from indexes.
 */
export async function listUsers(orgId: string, query: URLSearchParams) {
  const filter = parseEqualityFilter(query.get("filter"), USER_FILTERS);
  const { startIndex, count } = pageOf(query, MAX_PAGE);
  const email = filter.get("username") ?? filter.get("emails.value");
  const externalId = filter.get("externalid");
  const id = filter.get("id");
  if (email !== undefined && filter.has("username") && filter.has("emails.value")) {
    if (filter.get("username")?.toLowerCase() !== filter.get("emails.value")?.toLowerCase()) {
      return listResponse([], 0, startIndex);
    }
  }
  const where = {
    ...(email !== undefined ? { email: email.toLowerCase() } : {}),
    ...(id !== undefined ? { id } : {}),
    OR: [{ orgMemberships: { some: { orgId } } }, { scimIdentities: { some: { orgId, active: false } } }],
    ...(externalId !== undefined ? { scimIdentities: { some: { orgId, externalId } } } : {}),
  };
  const [total, users] = await Promise.all([
    db.user.count({ where }),
    count === 0
      ? Promise.resolve([])
      : db.user.findMany({
          where,
          orderBy: { email: "asc" },
          skip: startIndex - 1,
          take: count,
          select: personSelect(orgId),
        }),
  ]);
  const people = users.map(toPerson).filter((p): p is ScimPerson => p !== null);
  return listResponse(people.map(userResource), total, startIndex);
}

export async function getUser(orgId: string, userId: string) {
  return userResource(await requirePerson(db, orgId, userId));
}

/** Makes the person a member (taking a seat) or removes them (freeing it, ending sessions). */
async function setActive(tx: Tx, source: ScimSource, userId: string, email: string, active: boolean) {
  const membership = await tx.orgMembership.findUnique({
    where: { orgId_userId: { orgId: source.orgId, userId } },
    select: { id: true, role: true },
  });
  if (active && !membership) {
    try {
      await claimSeat(tx, source.orgId);
    } catch (error) {
      if (error instanceof AppError && error.code === "LIMIT_REACHED")
        throw new ScimError(403, error.message);
      throw error;
    }
    await tx.orgMembership.create({ data: { orgId: source.orgId, userId, role: "MEMBER" } });
    await scimAudit(tx, source, {
      action: "org.member_added",
      target: { type: "user", id: userId, name: email },
      metadata: { role: "MEMBER", via: "scim" },
    });
  } else if (!active && membership) {
    if (membership.role === "ADMIN") {
      const admins = await tx.orgMembership.count({ where: { orgId: source.orgId, role: "ADMIN" } });
      if (admins <= 1) {
        throw new ScimError(
          400,
          `${email} is the organization's last admin: make someone else an admin in Deputy first.`,
          "mutability",
        );
      }
    }
    await tx.teamMembership.deleteMany({ where: { userId, team: { orgId: source.orgId } } });
    await tx.projectAccess.deleteMany({ where: { userId, project: { team: { orgId: source.orgId } } } });
    await tx.orgMembership.delete({ where: { id: membership.id } });
    await endAllSessions(userId, tx);
    await scimAudit(tx, source, {
      action: "org.member_removed",
      target: { type: "user", id: userId, name: email },
      metadata: { role: membership.role, via: "scim" },
    });
  }
}

/** Name and email changes; an email is the person's across orgs, so only a one-org person's moves. */
async function setProfile(
  tx: Tx,
  source: ScimSource,
  person: ScimPerson,
  wanted: { email: string; name: string },
) {
  const changes: Record<string, { from: string; to: string }> = {};
  if (wanted.email !== person.email) {
    const elsewhere = await tx.orgMembership.count({
      where: { userId: person.id, orgId: { not: source.orgId } },
    });
    if (elsewhere > 0) {
      throw new ScimError(
        400,
        `${person.email} is also a member of another organization, so their email cannot be changed from here.`,
        "mutability",
      );
    }
    if (await tx.user.findUnique({ where: { email: wanted.email }, select: { id: true } })) {
      throw new ScimError(409, `Another person already has the email ${wanted.email}.`, "uniqueness");
    }
    changes.email = { from: person.email, to: wanted.email };
  }
  if (wanted.name !== person.name) changes.name = { from: person.name, to: wanted.name };
  if (Object.keys(changes).length === 0) return;
  await tx.user.update({ where: { id: person.id }, data: { email: wanted.email, name: wanted.name } });
  await scimAudit(tx, source, {
    action: "user.updated",
    target: { type: "user", id: person.id, name: wanted.email },
    metadata: changes,
  });
}

async function setIdentity(
  tx: Tx,
  orgId: string,
  userId: string,
  externalId: string | null,
  active: boolean,
) {
  await tx.scimIdentity.upsert({
    where: { orgId_userId: { orgId, userId } },
    create: { orgId, userId, externalId, active },
    update: { externalId, active },
  });
}

/**
 * POST /Users. A new email becomes a person without a password (they sign in with single
 * sign-on); a known email is linked. Someone already in the org (or known to SCIM) is a 409, as
 * clients expect, so they search and link instead.
 */
export async function createUser(source: ScimSource, body: unknown) {
  const data = parseUser(body);
  const active = data.active ?? true;
  const create = () =>
    db.$transaction(async (tx) => {
      // Taken before the existence check, so two creates for one email take turns (PostgreSQL).
      await claimSeatLock(tx, source.orgId);
      let user = await tx.user.findUnique({ where: { email: data.userName }, select: { id: true } });
      if (user && (await loadPerson(tx, source.orgId, user.id))) {
        throw new ScimError(409, `A user with userName ${data.userName} already exists.`, "uniqueness");
      }
      user ??= await tx.user.create({
        data: { email: data.userName, name: displayNameOf(data), passwordHash: null },
        select: { id: true },
      });
      await setIdentity(tx, source.orgId, user.id, data.externalId ?? null, active);
      await setActive(tx, source, user.id, data.userName, active);
      return user.id;
    });
  let userId: string;
  try {
    userId = await create();
  } catch (error) {
    // The other of two racing creates committed the user first: this one is the duplicate.
    if (isUniqueViolation(error)) {
      throw new ScimError(409, `A user with userName ${data.userName} already exists.`, "uniqueness");
    }
    throw error;
  }
  return userResource(await requirePerson(db, source.orgId, userId));
}

/** Orders racing SCIM writes of one org on PostgreSQL (SQLite's write lock already does). */
const claimSeatLock = (tx: Tx, orgId: string) => lockRow(tx, "organization", orgId);

/** Applies a whole desired User (PUT, and PATCH once patched) and answers the result. */
async function applyUser(source: ScimSource, userId: string, desired: UserBody) {
  await db.$transaction(async (tx) => {
    await claimSeatLock(tx, source.orgId);
    const person = await requirePerson(tx, source.orgId, userId);
    await setProfile(tx, source, person, { email: desired.userName, name: displayNameOf(desired) });
    const active = desired.active ?? person.active;
    // Left out keeps it (clients often omit it on PUT); null clears it.
    const externalId = desired.externalId === undefined ? person.externalId : desired.externalId;
    await setIdentity(tx, source.orgId, userId, externalId, active);
    await setActive(tx, source, userId, desired.userName, active);
  });
  return userResource(await requirePerson(db, source.orgId, userId));
}

/** PUT /Users/{id}: the whole resource (Okta sends it on every change). */
export async function replaceUser(source: ScimSource, userId: string, body: unknown) {
  return applyUser(source, userId, parseUser(body));
}

/** PATCH /Users/{id}: operations applied to the User as served, then stored. */
export async function patchUser(source: ScimSource, userId: string, body: unknown) {
  const operations = normalisedOperations(body);
  const current = userResource(await requirePerson(db, source.orgId, userId));
  const patched = applyPatch(current, operations);
  if (patched.id !== current.id) throw new ScimError(400, "id cannot be changed.", "mutability");
  // A replaced name.formatted or displayName wins over the old display name.
  const renamed =
    patched.displayName !== current.displayName
      ? patched.displayName
      : patched.name?.formatted !== current.name.formatted
        ? patched.name?.formatted
        : [patched.name?.givenName, patched.name?.familyName].join(" ") !==
            [current.name.givenName, current.name.familyName].join(" ")
          ? [patched.name?.givenName, patched.name?.familyName].filter(Boolean).join(" ")
          : current.displayName;
  return applyUser(
    source,
    userId,
    parseUser({
      userName: patched.userName,
      externalId: patched.externalId ?? null,
      displayName: renamed,
      active: patched.active,
    }),
  );
}

/** DELETE /Users/{id}: out of the org as with `active: false`, and forgotten by SCIM. */
export async function deleteUser(source: ScimSource, userId: string) {
  await db.$transaction(async (tx) => {
    await claimSeatLock(tx, source.orgId);
    const person = await requirePerson(tx, source.orgId, userId);
    await setActive(tx, source, userId, person.email, false);
    await tx.scimIdentity.deleteMany({ where: { orgId: source.orgId, userId } });
  });
}

export { USER_SCHEMA };

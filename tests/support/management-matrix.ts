// Rule 17 over HTTP: which ADMIN service account may manage which account through the management
// API. Caller × target × operation, each cell's status and error code written out. Refused cells
// must change nothing and audit nothing; allowed changes must be audited under the caller's
// display identity.
import crypto from "node:crypto";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { makeOrg } from "./factories";
import type { ApiAnswer, CallInit } from "./api-server";

export const MANAGEMENT_MATRIX = `
org-admin   own-team   get               200 ok
org-admin   own-team   patch-description 200 ok
org-admin   own-team   patch-role        200 ok
org-admin   own-team   patch-status      200 ok
org-admin   own-team   list-keys         200 ok
org-admin   own-team   create-key        201 ok
org-admin   own-team   revoke-key        204 ok
org-admin   own-team   delete            204 ok
org-admin   other-team get               200 ok
org-admin   other-team patch-description 200 ok
org-admin   other-team patch-role        200 ok
org-admin   other-team patch-status      200 ok
org-admin   other-team list-keys         200 ok
org-admin   other-team create-key        201 ok
org-admin   other-team revoke-key        204 ok
org-admin   other-team delete            204 ok
org-admin   org        get               200 ok
org-admin   org        patch-description 200 ok
org-admin   org        patch-role        200 ok
org-admin   org        patch-status      200 ok
org-admin   org        list-keys         200 ok
org-admin   org        create-key        201 ok
org-admin   org        revoke-key        204 ok
org-admin   org        delete            204 ok
org-admin   other-org  get               404 not_found
org-admin   other-org  patch-description 404 not_found
org-admin   other-org  patch-role        404 not_found
org-admin   other-org  patch-status      404 not_found
org-admin   other-org  list-keys         404 not_found
org-admin   other-org  create-key        404 not_found
org-admin   other-org  revoke-key        404 not_found
org-admin   other-org  delete            404 not_found
org-admin   self       get               200 ok
org-admin   self       patch-description 200 ok
org-admin   self       patch-role        403 forbidden
org-admin   self       patch-status      403 forbidden
org-admin   self       list-keys         200 ok
org-admin   self       create-key        201 ok
org-admin   self       revoke-key        204 ok
org-admin   self       delete            403 forbidden
org-admin   own-team   create            201 ok
org-admin   other-team create            201 ok
org-admin   org        create            201 ok
org-admin   other-org  create            404 not_found
team-admin  own-team   get               200 ok
team-admin  own-team   patch-description 200 ok
team-admin  own-team   patch-role        200 ok
team-admin  own-team   patch-status      200 ok
team-admin  own-team   list-keys         200 ok
team-admin  own-team   create-key        201 ok
team-admin  own-team   revoke-key        204 ok
team-admin  own-team   delete            204 ok
team-admin  other-team get               404 not_found
team-admin  other-team patch-description 404 not_found
team-admin  other-team patch-role        404 not_found
team-admin  other-team patch-status      404 not_found
team-admin  other-team list-keys         404 not_found
team-admin  other-team create-key        404 not_found
team-admin  other-team revoke-key        404 not_found
team-admin  other-team delete            404 not_found
team-admin  org        get               404 not_found
team-admin  org        patch-description 404 not_found
team-admin  org        patch-role        404 not_found
team-admin  org        patch-status      404 not_found
team-admin  org        list-keys         404 not_found
team-admin  org        create-key        404 not_found
team-admin  org        revoke-key        404 not_found
team-admin  org        delete            404 not_found
team-admin  other-org  get               404 not_found
team-admin  other-org  patch-description 404 not_found
team-admin  other-org  patch-role        404 not_found
team-admin  other-org  patch-status      404 not_found
team-admin  other-org  list-keys         404 not_found
team-admin  other-org  create-key        404 not_found
team-admin  other-org  revoke-key        404 not_found
team-admin  other-org  delete            404 not_found
team-admin  self       get               200 ok
team-admin  self       patch-description 200 ok
team-admin  self       patch-role        403 forbidden
team-admin  self       patch-status      403 forbidden
team-admin  self       list-keys         200 ok
team-admin  self       create-key        201 ok
team-admin  self       revoke-key        204 ok
team-admin  self       delete            403 forbidden
team-admin  own-team   create            201 ok
team-admin  other-team create            403 forbidden
team-admin  org        create            403 forbidden
team-admin  other-org  create            404 not_found
org-member  own-team   get               403 forbidden
org-member  own-team   patch-description 403 forbidden
org-member  own-team   patch-role        403 forbidden
org-member  own-team   patch-status      403 forbidden
org-member  own-team   list-keys         403 forbidden
org-member  own-team   create-key        403 forbidden
org-member  own-team   revoke-key        403 forbidden
org-member  own-team   delete            403 forbidden
org-member  other-team get               403 forbidden
org-member  other-team patch-description 403 forbidden
org-member  other-team patch-role        403 forbidden
org-member  other-team patch-status      403 forbidden
org-member  other-team list-keys         403 forbidden
org-member  other-team create-key        403 forbidden
org-member  other-team revoke-key        403 forbidden
org-member  other-team delete            403 forbidden
org-member  org        get               403 forbidden
org-member  org        patch-description 403 forbidden
org-member  org        patch-role        403 forbidden
org-member  org        patch-status      403 forbidden
org-member  org        list-keys         403 forbidden
org-member  org        create-key        403 forbidden
org-member  org        revoke-key        403 forbidden
org-member  org        delete            403 forbidden
org-member  other-org  get               403 forbidden
org-member  other-org  patch-description 403 forbidden
org-member  other-org  patch-role        403 forbidden
org-member  other-org  patch-status      403 forbidden
org-member  other-org  list-keys         403 forbidden
org-member  other-org  create-key        403 forbidden
org-member  other-org  revoke-key        403 forbidden
org-member  other-org  delete            403 forbidden
org-member  self       get               403 forbidden
org-member  self       patch-description 403 forbidden
org-member  self       patch-role        403 forbidden
org-member  self       patch-status      403 forbidden
org-member  self       list-keys         403 forbidden
org-member  self       create-key        403 forbidden
org-member  self       revoke-key        403 forbidden
org-member  self       delete            403 forbidden
org-member  own-team   create            403 forbidden
org-member  other-team create            403 forbidden
org-member  org        create            403 forbidden
org-member  other-org  create            403 forbidden
team-viewer own-team   get               403 forbidden
team-viewer own-team   patch-description 403 forbidden
team-viewer own-team   patch-role        403 forbidden
team-viewer own-team   patch-status      403 forbidden
team-viewer own-team   list-keys         403 forbidden
team-viewer own-team   create-key        403 forbidden
team-viewer own-team   revoke-key        403 forbidden
team-viewer own-team   delete            403 forbidden
team-viewer other-team get               403 forbidden
team-viewer other-team patch-description 403 forbidden
team-viewer other-team patch-role        403 forbidden
team-viewer other-team patch-status      403 forbidden
team-viewer other-team list-keys         403 forbidden
team-viewer other-team create-key        403 forbidden
team-viewer other-team revoke-key        403 forbidden
team-viewer other-team delete            403 forbidden
team-viewer org        get               403 forbidden
team-viewer org        patch-description 403 forbidden
team-viewer org        patch-role        403 forbidden
team-viewer org        patch-status      403 forbidden
team-viewer org        list-keys         403 forbidden
team-viewer org        create-key        403 forbidden
team-viewer org        revoke-key        403 forbidden
team-viewer org        delete            403 forbidden
team-viewer other-org  get               403 forbidden
team-viewer other-org  patch-description 403 forbidden
team-viewer other-org  patch-role        403 forbidden
team-viewer other-org  patch-status      403 forbidden
team-viewer other-org  list-keys         403 forbidden
team-viewer other-org  create-key        403 forbidden
team-viewer other-org  revoke-key        403 forbidden
team-viewer other-org  delete            403 forbidden
team-viewer self       get               403 forbidden
team-viewer self       patch-description 403 forbidden
team-viewer self       patch-role        403 forbidden
team-viewer self       patch-status      403 forbidden
team-viewer self       list-keys         403 forbidden
team-viewer self       create-key        403 forbidden
team-viewer self       revoke-key        403 forbidden
team-viewer self       delete            403 forbidden
team-viewer own-team   create            403 forbidden
team-viewer other-team create            403 forbidden
team-viewer org        create            403 forbidden
team-viewer other-org  create            403 forbidden
`;

export type Caller = "org-admin" | "team-admin" | "org-member" | "team-viewer";
export type Target = "own-team" | "other-team" | "org" | "other-org" | "self";

export function managementCells() {
  return MANAGEMENT_MATRIX.trim()
    .split("\n")
    .map((line) => {
      const [caller, target, op, status, code] = line.trim().split(/\s+/) as [
        Caller,
        Target,
        string,
        string,
        string,
      ];
      return { caller, target, op, status: Number(status), code };
    });
}

const unique = () => crypto.randomBytes(3).toString("hex");

/** An org with teams alpha and beta, one calling account per caller kind, and another org. */
export async function seedManagementWorld() {
  const world = await makeOrg();
  const elsewhere = await makeOrg();
  const callers = {} as Record<Caller, { id: string; identity: string; key: string }>;
  const specs: [Caller, "ORG" | "TEAM", "ADMIN" | "MEMBER" | "VIEWER"][] = [
    ["org-admin", "ORG", "ADMIN"],
    ["team-admin", "TEAM", "ADMIN"],
    ["org-member", "ORG", "MEMBER"],
    ["team-viewer", "TEAM", "VIEWER"],
  ];
  for (const [name, scope, role] of specs) {
    const place = scope === "ORG" ? { orgSlug: world.org.slug } : { teamSlug: world.alpha.slug };
    const { id } = await createServiceAccountFromForm(world.as.orgAdmin, place, {
      name,
      role,
      defaultTeam: world.alpha.slug,
    });
    const { secret } = await createApiKeyFromForm(world.as.orgAdmin, id, { name: "caller" });
    callers[name] = { id, identity: `${name}@${world.org.slug}.sa.deputy.local`, key: secret };
  }
  return { world, elsewhere, callers };
}

export type ManagementWorld = Awaited<ReturnType<typeof seedManagementWorld>>;

/** A fresh account to act on (with one key), or the caller itself (with a spare key). */
async function makeTarget(w: ManagementWorld, caller: Caller, target: Target) {
  if (target === "self") {
    const id = w.callers[caller].id;
    const spare = await db.apiKey.findFirst({
      where: { serviceAccountId: id, name: "spare", revokedAt: null },
    });
    if (!spare) await createApiKeyFromForm(w.world.as.orgAdmin, id, { name: "spare" });
    const key = await db.apiKey.findFirstOrThrow({
      where: { serviceAccountId: id, name: "spare", revokedAt: null },
    });
    return { id, keyId: key.id };
  }
  const org = target === "other-org" ? w.elsewhere : w.world;
  const place =
    target === "org"
      ? { orgSlug: org.org.slug }
      : { teamSlug: target === "other-team" ? org.beta.slug : org.alpha.slug };
  const { id } = await createServiceAccountFromForm(org.as.orgAdmin, place, {
    name: `target-${unique()}`,
    defaultTeam: org.beta.slug,
  });
  const key = await createApiKeyFromForm(org.as.orgAdmin, id, { name: "target-key" });
  return { id, keyId: key.id };
}

const CHANGES: Record<
  string,
  { action: string; request: (id: string, keyId: string) => [string, CallInit] }
> = {
  get: { action: "", request: (id) => [`/api/v1/service-accounts/${id}`, {}] },
  "patch-description": {
    action: "service_account.updated",
    request: (id) => [
      `/api/v1/service-accounts/${id}`,
      { method: "PATCH", body: { description: "changed by the matrix" } },
    ],
  },
  "patch-role": {
    action: "service_account.updated",
    request: (id) => [`/api/v1/service-accounts/${id}`, { method: "PATCH", body: { role: "viewer" } }],
  },
  "patch-status": {
    action: "service_account.disabled",
    request: (id) => [`/api/v1/service-accounts/${id}`, { method: "PATCH", body: { status: "disabled" } }],
  },
  "list-keys": { action: "", request: (id) => [`/api/v1/service-accounts/${id}/keys`, {}] },
  "create-key": {
    action: "api_key.created",
    request: (id) => [`/api/v1/service-accounts/${id}/keys`, { body: { name: "matrix-made" } }],
  },
  "revoke-key": {
    action: "api_key.revoked",
    request: (id, keyId) => [`/api/v1/service-accounts/${id}/keys/${keyId}`, { method: "DELETE" }],
  },
  delete: {
    action: "service_account.deleted",
    request: (id) => [`/api/v1/service-accounts/${id}`, { method: "DELETE" }],
  },
};

async function snapshot(id: string) {
  const account = await db.serviceAccount.findUniqueOrThrow({
    where: { id },
    select: { name: true, description: true, role: true, status: true, deletedAt: true },
  });
  const keys = await db.apiKey.findMany({
    where: { serviceAccountId: id },
    select: { id: true, revokedAt: true },
    orderBy: { id: "asc" },
  });
  return JSON.stringify({ account, keys });
}

/** Runs every cell; returns the cells whose answer, audit or effect differed (empty when all match). */
export async function runManagementMatrix(
  w: ManagementWorld,
  call: (path: string, init: CallInit) => Promise<ApiAnswer>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const cell of managementCells()) {
    const label = `${cell.caller} ${cell.target} ${cell.op}`;
    const caller = w.callers[cell.caller];
    const eventIds = async (targetId: string) =>
      (
        await db.auditEvent.findMany({
          where: { actorId: caller.id, targetId: targetId || "none" },
          select: { id: true },
        })
      ).map((e) => e.id);
    let answer: ApiAnswer;
    let targetId: string;
    let before: string | null = null;
    let earlier: string[] = [];
    if (cell.op === "create") {
      const org = cell.target === "other-org" ? w.elsewhere : w.world;
      const name = `made-${unique()}`;
      answer = await call("/api/v1/service-accounts", {
        key: caller.key,
        body: {
          name,
          scope: cell.target === "org" ? "org" : "team",
          team: cell.target === "other-team" ? org.beta.slug : org.alpha.slug,
        },
      });
      const made = await db.serviceAccount.findFirst({ where: { name }, select: { id: true } });
      if ((made !== null) !== (answer.status === 201))
        problems.push(`${label}: answered ${answer.status} but stored=${made !== null}`);
      targetId = made?.id ?? "";
    } else {
      const target = await makeTarget(w, cell.caller, cell.target);
      targetId = target.id;
      before = await snapshot(target.id);
      earlier = await eventIds(target.id);
      const [path, init] = CHANGES[cell.op]!.request(target.id, target.keyId);
      answer = await call(path, { ...init, key: caller.key });
      // Leave the caller as it was for the next cells.
      if (cell.target === "self" && answer.status < 300 && cell.op !== "get" && cell.op !== "list-keys") {
        await db.serviceAccount.update({ where: { id: target.id }, data: { description: "" } });
      }
    }
    const code = answer.body.error?.code ?? "ok";
    if (answer.status !== cell.status || code !== cell.code) {
      problems.push(`${label}: expected ${cell.status} ${cell.code}, got ${answer.status} ${code}`);
      continue;
    }
    const events = await db.auditEvent.findMany({
      where: { actorId: caller.id, targetId: targetId || "none", id: { notIn: earlier } },
      select: { action: true, actorType: true, actorIdentity: true },
    });
    const action = cell.op === "create" ? "service_account.created" : CHANGES[cell.op]!.action;
    if (answer.status < 300 && action) {
      const audited = events.some(
        (e) =>
          e.action === action && e.actorType === "SERVICE_ACCOUNT" && e.actorIdentity === caller.identity,
      );
      if (!audited) problems.push(`${label}: no ${action} event under ${caller.identity}`);
    }
    if (answer.status >= 400) {
      if (events.length > 0)
        problems.push(`${label}: refused but audited ${events.map((e) => e.action).join(", ")}`);
      if (before !== null && (await snapshot(targetId)) !== before)
        problems.push(`${label}: refused but changed the account`);
    }
  }
  return problems;
}

// The access matrix of SPEC §2 rules 3–6 over HTTP: scope × role × home/other team ×
// visibility × read/write, each cell's expected status and error code written out. Shared by the
// in-process integration test and the browser-suite run against the production server.
import type { Visibility } from "@/lib/authz/visibility";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { makeOrg } from "./factories";

export const ACCESS_MATRIX = `
ORG  ADMIN  home  OPEN       read  200 ok
ORG  ADMIN  home  OPEN       write 201 ok
ORG  ADMIN  home  PUBLIC     read  200 ok
ORG  ADMIN  home  PUBLIC     write 201 ok
ORG  ADMIN  home  TEAM       read  200 ok
ORG  ADMIN  home  TEAM       write 201 ok
ORG  ADMIN  home  RESTRICTED read  403 restricted_project
ORG  ADMIN  home  RESTRICTED write 403 restricted_project
ORG  ADMIN  other OPEN       read  200 ok
ORG  ADMIN  other OPEN       write 201 ok
ORG  ADMIN  other PUBLIC     read  200 ok
ORG  ADMIN  other PUBLIC     write 201 ok
ORG  ADMIN  other TEAM       read  200 ok
ORG  ADMIN  other TEAM       write 201 ok
ORG  ADMIN  other RESTRICTED read  403 restricted_project
ORG  ADMIN  other RESTRICTED write 403 restricted_project
ORG  MEMBER home  OPEN       read  200 ok
ORG  MEMBER home  OPEN       write 201 ok
ORG  MEMBER home  PUBLIC     read  200 ok
ORG  MEMBER home  PUBLIC     write 201 ok
ORG  MEMBER home  TEAM       read  200 ok
ORG  MEMBER home  TEAM       write 201 ok
ORG  MEMBER home  RESTRICTED read  403 restricted_project
ORG  MEMBER home  RESTRICTED write 403 restricted_project
ORG  MEMBER other OPEN       read  200 ok
ORG  MEMBER other OPEN       write 201 ok
ORG  MEMBER other PUBLIC     read  200 ok
ORG  MEMBER other PUBLIC     write 201 ok
ORG  MEMBER other TEAM       read  200 ok
ORG  MEMBER other TEAM       write 201 ok
ORG  MEMBER other RESTRICTED read  403 restricted_project
ORG  MEMBER other RESTRICTED write 403 restricted_project
ORG  VIEWER home  OPEN       read  200 ok
ORG  VIEWER home  OPEN       write 403 read_only_role
ORG  VIEWER home  PUBLIC     read  200 ok
ORG  VIEWER home  PUBLIC     write 403 read_only_role
ORG  VIEWER home  TEAM       read  200 ok
ORG  VIEWER home  TEAM       write 403 read_only_role
ORG  VIEWER home  RESTRICTED read  403 restricted_project
ORG  VIEWER home  RESTRICTED write 403 read_only_role
ORG  VIEWER other OPEN       read  200 ok
ORG  VIEWER other OPEN       write 403 read_only_role
ORG  VIEWER other PUBLIC     read  200 ok
ORG  VIEWER other PUBLIC     write 403 read_only_role
ORG  VIEWER other TEAM       read  200 ok
ORG  VIEWER other TEAM       write 403 read_only_role
ORG  VIEWER other RESTRICTED read  403 restricted_project
ORG  VIEWER other RESTRICTED write 403 read_only_role
TEAM ADMIN  home  OPEN       read  200 ok
TEAM ADMIN  home  OPEN       write 201 ok
TEAM ADMIN  home  PUBLIC     read  200 ok
TEAM ADMIN  home  PUBLIC     write 201 ok
TEAM ADMIN  home  TEAM       read  200 ok
TEAM ADMIN  home  TEAM       write 201 ok
TEAM ADMIN  home  RESTRICTED read  403 restricted_project
TEAM ADMIN  home  RESTRICTED write 403 restricted_project
TEAM ADMIN  other OPEN       read  200 ok
TEAM ADMIN  other OPEN       write 201 ok
TEAM ADMIN  other PUBLIC     read  200 ok
TEAM ADMIN  other PUBLIC     write 403 cross_team_write_denied
TEAM ADMIN  other TEAM       read  403 forbidden
TEAM ADMIN  other TEAM       write 403 cross_team_write_denied
TEAM ADMIN  other RESTRICTED read  403 restricted_project
TEAM ADMIN  other RESTRICTED write 403 cross_team_write_denied
TEAM MEMBER home  OPEN       read  200 ok
TEAM MEMBER home  OPEN       write 201 ok
TEAM MEMBER home  PUBLIC     read  200 ok
TEAM MEMBER home  PUBLIC     write 201 ok
TEAM MEMBER home  TEAM       read  200 ok
TEAM MEMBER home  TEAM       write 201 ok
TEAM MEMBER home  RESTRICTED read  403 restricted_project
TEAM MEMBER home  RESTRICTED write 403 restricted_project
TEAM MEMBER other OPEN       read  200 ok
TEAM MEMBER other OPEN       write 201 ok
TEAM MEMBER other PUBLIC     read  200 ok
TEAM MEMBER other PUBLIC     write 403 cross_team_write_denied
TEAM MEMBER other TEAM       read  403 forbidden
TEAM MEMBER other TEAM       write 403 cross_team_write_denied
TEAM MEMBER other RESTRICTED read  403 restricted_project
TEAM MEMBER other RESTRICTED write 403 cross_team_write_denied
TEAM VIEWER home  OPEN       read  200 ok
TEAM VIEWER home  OPEN       write 403 read_only_role
TEAM VIEWER home  PUBLIC     read  200 ok
TEAM VIEWER home  PUBLIC     write 403 read_only_role
TEAM VIEWER home  TEAM       read  200 ok
TEAM VIEWER home  TEAM       write 403 read_only_role
TEAM VIEWER home  RESTRICTED read  403 restricted_project
TEAM VIEWER home  RESTRICTED write 403 read_only_role
TEAM VIEWER other OPEN       read  200 ok
TEAM VIEWER other OPEN       write 403 read_only_role
TEAM VIEWER other PUBLIC     read  200 ok
TEAM VIEWER other PUBLIC     write 403 read_only_role
TEAM VIEWER other TEAM       read  403 forbidden
TEAM VIEWER other TEAM       write 403 read_only_role
TEAM VIEWER other RESTRICTED read  403 restricted_project
TEAM VIEWER other RESTRICTED write 403 read_only_role
`;

export type MatrixCell = {
  scope: "ORG" | "TEAM";
  role: "ADMIN" | "MEMBER" | "VIEWER";
  where: "home" | "other";
  visibility: Visibility;
  op: "read" | "write";
  status: number;
  code: string;
};

export function matrixCells(): MatrixCell[] {
  return ACCESS_MATRIX.trim()
    .split("\n")
    .map((line) => {
      const [scope, role, where, visibility, op, status, code] = line.trim().split(/\s+/);
      return { scope, role, where, visibility, op, status: Number(status), code } as MatrixCell;
    });
}

/** An org with teams alpha (home) and beta (other), a project per visibility in each, and one key per scope × role. */
export async function seedMatrixWorld() {
  const world = await makeOrg();
  const projects: Record<string, string> = {};
  for (const team of [world.alpha, world.beta]) {
    for (const visibility of ["OPEN", "PUBLIC", "TEAM", "RESTRICTED"] as const) {
      const name = `${visibility.toLowerCase()}-project`;
      await db.project.create({ data: { teamId: team.id, name, visibility } });
      projects[`${team.slug}/${visibility}`] = name;
    }
  }
  const keys: Record<string, string> = {};
  for (const scope of ["ORG", "TEAM"] as const) {
    for (const role of ["ADMIN", "MEMBER", "VIEWER"] as const) {
      const name = `${scope.toLowerCase()}-${role.toLowerCase()}`;
      const place = scope === "ORG" ? { orgSlug: world.org.slug } : { teamSlug: world.alpha.slug };
      const { id } = await createServiceAccountFromForm(world.as.orgAdmin, place, {
        name,
        role,
        defaultTeam: world.alpha.slug,
      });
      keys[`${scope} ${role}`] = (
        await createApiKeyFromForm(world.as.orgAdmin, id, { name: "matrix" })
      ).secret;
    }
  }
  return { world, keys, home: world.alpha.slug, other: world.beta.slug };
}

export type MatrixWorld = Awaited<ReturnType<typeof seedMatrixWorld>>;

/** Runs every cell against baseUrl; returns the cells whose answer differed (empty when all match). */
export async function runMatrix(baseUrl: string, world: MatrixWorld): Promise<string[]> {
  const mismatches: string[] = [];
  for (const cell of matrixCells()) {
    const entity = cell.where === "home" ? world.home : world.other;
    const project = `${cell.visibility.toLowerCase()}-project`;
    const headers = {
      authorization: `Bearer ${world.keys[`${cell.scope} ${cell.role}`]}`,
      "content-type": "application/json",
    };
    const response =
      cell.op === "read"
        ? await fetch(`${baseUrl}/api/v1/projects/${entity}/${project}/runs`, { headers })
        : await fetch(`${baseUrl}/api/v1/runs`, {
            method: "POST",
            headers,
            body: JSON.stringify({ entity, project }),
          });
    const body = (await response.json()) as { error?: { code: string } };
    const code = body.error?.code ?? "ok";
    if (response.status !== cell.status || code !== cell.code) {
      mismatches.push(
        `${cell.scope} ${cell.role} ${cell.op} ${cell.where} ${cell.visibility}: expected ${cell.status} ${cell.code}, got ${response.status} ${code}`,
      );
    }
  }
  return mismatches;
}

// Restrictions on a credential (SPEC rule 24): they only ever narrow what its account may do.
// Browser-safe (zod and pure code): the console's dialog, the API and the domain validate with
// the same schema, and the same words describe a key on its row.
import { z } from "zod";
import { normaliseCidr } from "@/lib/security/cidr";
import { ZProjectName } from "@/lib/validation/project-name";

export const PERMISSIONS = ["read", "write", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type AccountRole = "ADMIN" | "MEMBER" | "VIEWER";

export const MAX_ALLOWED_IPS = 32;
export const MAX_PROJECTS = 100;

/** What a role allows at most: a Viewer reads, a Member writes, an Admin also manages. */
export function permissionOfRole(role: AccountRole): Permission {
  return role === "ADMIN" ? "admin" : role === "MEMBER" ? "write" : "read";
}

const RANK: Record<Permission, number> = { read: 0, write: 1, admin: 2 };

export function permits(level: Permission, wanted: Permission): boolean {
  return RANK[level] >= RANK[wanted];
}

/** The lower of the account's role and the key's permission (rule 24). */
export function effectivePermission(role: AccountRole, permission: Permission | null): Permission {
  const ofRole = permissionOfRole(role);
  return permission && RANK[permission] < RANK[ofRole] ? permission : ofRole;
}

/** Restrictions as stored and answered: null means "not restricted" for that field. */
export type Restrictions = {
  permission: Permission | null;
  projects: string[] | null;
  allowedIps: string[] | null;
};

export const NO_RESTRICTIONS: Restrictions = { permission: null, projects: null, allowedIps: null };

/** "<team>/<project>", as the API and the runs' paths name a project. */
export const ZProjectPathShape = z
  .string()
  .trim()
  .max(106, "Name a project as <team>/<project>.")
  .refine((value) => {
    const slash = value.indexOf("/");
    if (slash < 1) return false;
    const team = value.slice(0, slash);
    return (
      /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(team) &&
      team.length <= 40 &&
      ZProjectName.safeParse(value.slice(slash + 1)).success
    );
  }, "Name each project as <team>/<project>, such as ml-team/production-models.");

/** A list of CIDR ranges (rule 24 allowedIps, rule 25 trust settings), normalised and deduplicated. */
export const ZCidrList = z
  .array(z.string().max(64, "Write each range as a CIDR, such as 10.0.0.0/8."), {
    message: "allowedIps must be a list of CIDR ranges.",
  })
  .max(MAX_ALLOWED_IPS, `Use at most ${MAX_ALLOWED_IPS} IP ranges.`)
  .transform((ranges, ctx) => {
    const normal: string[] = [];
    for (const range of ranges) {
      const cidr = normaliseCidr(range);
      if (!cidr) {
        ctx.addIssue({
          code: "custom",
          message: `${JSON.stringify(range.slice(0, 64))} is not an IP range: write a CIDR such as 10.0.0.0/8 or 2001:db8::/32.`,
        });
        return z.NEVER;
      }
      if (!normal.includes(cidr)) normal.push(cidr);
    }
    if (normal.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "List at least one IP range, or leave allowedIps out (any address).",
      });
      return z.NEVER;
    }
    return normal;
  });

const ZProjectList = z
  .array(ZProjectPathShape, { message: "projects must be a list of <team>/<project> names." })
  .max(MAX_PROJECTS, `Use at most ${MAX_PROJECTS} projects.`)
  .transform((projects, ctx) => {
    const unique = [...new Set(projects)];
    if (unique.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "List at least one project, or leave projects out (all projects).",
      });
      return z.NEVER;
    }
    return unique;
  });

/**
 * Restrictions as a request gives them: every field optional; null (or absent) lifts that
 * restriction. Unknown fields are refused.
 */
export const ZRestrictionsInput = z
  .object({
    permission: z
      .enum(PERMISSIONS, { message: "permission must be read, write or admin." })
      .nullable()
      .optional(),
    projects: ZProjectList.nullable().optional(),
    allowedIps: ZCidrList.nullable().optional(),
  })
  .strict();
export type TRestrictionsInput = z.input<typeof ZRestrictionsInput>;

/** The full restrictions a validated input sets (absent fields are not restricted). */
export function restrictionsOf(input: z.output<typeof ZRestrictionsInput> | undefined): Restrictions {
  return {
    permission: input?.permission ?? null,
    projects: input?.projects ?? null,
    allowedIps: input?.allowedIps ?? null,
  };
}

/** Why restrictions would widen the account, or null when they only narrow it. */
export function wideningOf(restrictions: Restrictions, role: AccountRole): string | null {
  if (restrictions.permission && !permits(permissionOfRole(role), restrictions.permission)) {
    const roleName = role === "VIEWER" ? "Viewer" : "Member";
    return `permission ${restrictions.permission} is more than this account's ${roleName} role allows (at most ${permissionOfRole(role)}).`;
  }
  return null;
}

/**
 * What a credential's restrictions refuse on one project (rule 24), or null: the one decision the
 * runs domain enforces and the "Why?" table explains. `permission` is the effective level.
 */
export function credentialDenial(
  restrictions: { permission: Permission; projects: string[] | null },
  role: AccountRole,
  projectPath: string,
  operation: "read" | "write",
): "read_only_key" | "other_project" | null {
  // A Viewer account is refused by its role (read_only_role), not by its key.
  if (operation === "write" && restrictions.permission === "read" && role !== "VIEWER")
    return "read_only_key";
  if (restrictions.projects && !restrictions.projects.includes(projectPath)) return "other_project";
  return null;
}

/** Whether a project path is allowed by the projects restriction. */
export function allowsProject(restrictions: Pick<Restrictions, "projects">, team: string, project: string) {
  return restrictions.projects === null || restrictions.projects.includes(`${team}/${project}`);
}

/** The restrictions in words, for the key row: "Read only · 1 project · 10.0.0.0/8". */
export function describeRestrictions(restrictions: Restrictions): string {
  const parts: string[] = [];
  if (restrictions.permission === "read") parts.push("Read only");
  if (restrictions.permission === "write") parts.push("Read and write");
  if (restrictions.projects) {
    parts.push(restrictions.projects.length === 1 ? "1 project" : `${restrictions.projects.length} projects`);
  }
  if (restrictions.allowedIps) {
    parts.push(
      restrictions.allowedIps.length <= 2
        ? restrictions.allowedIps.join(", ")
        : `${restrictions.allowedIps.length} IP ranges`,
    );
  }
  return parts.length === 0 ? "No restrictions" : parts.join(" · ");
}

/** Lines (or commas) of CIDR ranges as typed in the console, or null for none. */
export function rangesFromText(text: string): string[] | null {
  const ranges = text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
  return ranges.length > 0 ? ranges : null;
}

/** Reads a stored list (JSON text) as a list of strings, or null. */
export function storedList(value: unknown): string[] | null {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  return Array.isArray(parsed) && parsed.every((item) => typeof item === "string") ? parsed : null;
}

export function storedPermission(value: unknown): Permission | null {
  return PERMISSIONS.includes(value as Permission) ? (value as Permission) : null;
}

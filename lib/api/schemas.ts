import { z } from "zod";
import { zText } from "@/lib/validation/text";

// The run input is the runs domain's; cli/client.ts still takes its type from here.
export { ZCreateRunInput } from "@/lib/runs/schemas";

/** Largest JSON body the API reads; anything larger is refused before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

export const ZListRunsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: zText().max(200).optional(),
  })
  .strict();

/** "field: problem; field: problem" — one line that says what to fix. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
}

// Answers, as documented in openapi.json and checked against every answer the tests receive.

export const ZErrorAnswer = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional().meta({
      description: "This request's id, also in the x-request-id answer header and the server's log line",
    }),
  }),
});

/** A key's restrictions (rule 24): the effective permission, and null for "not restricted". */
export const ZKeyRestrictions = z
  .object({
    permission: z.enum(["read", "write", "admin"]),
    projects: z.array(z.string()).nullable(),
    allowedIps: z.array(z.string()).nullable(),
  })
  .meta({ id: "KeyRestrictions", description: "What a credential narrows its account to (rule 24)." });

export const ZViewerAnswer = z.object({
  principal: z.object({
    type: z.literal("service_account"),
    id: z.string(),
    name: z.string(),
    identity: z.string(),
    scope: z.enum(["org", "team"]),
    organization: z.string(),
    team: z.string().nullable(),
    defaultEntity: z.string(),
    role: z.enum(["admin", "member", "viewer"]),
  }),
  credential: z.object({
    type: z.enum(["api_key", "access_token"]),
    id: z.string(),
    name: z.string().nullable(),
    expiresAt: z.string().nullable(),
    restrictions: ZKeyRestrictions,
  }),
});

export const ZCreateRunAnswer = z.object({
  run: z.object({
    id: z.string(),
    entity: z.string(),
    project: z.string(),
    name: z.string(),
    createdBy: z.string(),
    attributedTo: z.string().nullable(),
  }),
  warnings: z.array(z.string()),
});

export const ZListRunsAnswer = z.object({
  runs: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      createdBy: z.string(),
      attributedTo: z.string().nullable(),
      createdAt: z.string(),
      config: z.record(z.string(), z.unknown()),
      summary: z.record(z.string(), z.unknown()),
      /** The verified workload claims (repository, ref, actor, run_id…) when written with an access token; {} otherwise. */
      workload: z.record(z.string(), z.unknown()),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const ZRunsPathParams = z.object({
  entity: zText().min(1).max(64),
  project: zText().min(1).max(128),
});

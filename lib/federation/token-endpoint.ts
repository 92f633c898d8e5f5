// The token endpoint's side of RFC 8693 (SPEC §4): the form a workload posts, the answer it
// gets and the RFC 6749 §5.2 error it is refused with. The exchange itself, which decides whether
// the token earns an access token, is exchange.ts.
import { z } from "zod";
import { zText } from "@/lib/validation/text";
import { PERMISSIONS, ZProjectPathShape, type Permission } from "@/lib/keys/restrictions";

export const TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
const SUBJECT_TOKEN_TYPES = [
  "urn:ietf:params:oauth:token-type:jwt",
  "urn:ietf:params:oauth:token-type:id_token",
];

export type OAuthErrorCode = "invalid_request" | "invalid_grant" | "invalid_scope" | "unsupported_grant_type";

/** A refusal in RFC 6749 §5.2's shape: `{"error", "error_description"}`. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

// Every field goes through the API's text rule: a NUL or lone surrogate is a 400, never a 500.
const text = (max: number) => zText().max(max);

/** The form fields of RFC 8693 §2.1 that Deputy reads; others of the RFC are accepted and ignored. */
export const ZTokenExchangeForm = z
  .object({
    grant_type: text(200),
    subject_token: text(64 * 1024),
    subject_token_type: text(200),
    service_account: text(128).optional(),
    // A public client may name itself (RFC 6749 §2.3.1); Deputy needs no client registration.
    client_id: text(200).optional(),
    audience: text(512).optional(),
    resource: text(512).optional(),
    scope: text(512).optional(),
    requested_token_type: text(200).optional(),
  })
  .strict();
export type TTokenExchangeForm = z.infer<typeof ZTokenExchangeForm>;

/** A granted exchange, as RFC 8693 §2.2.1 answers it. */
export type ExchangeAnswer = {
  access_token: string;
  issued_token_type: typeof ACCESS_TOKEN_TYPE;
  token_type: "Bearer";
  expires_in: number;
};

/** What the exchange's RFC 8693 `scope` asks the access token to be narrowed to (rule 25). */
export type RequestedScope = { permission: Permission | null; projects: string[] | null };

/**
 * Reads `scope`: space-separated `read`, `write` or `admin` (at most one) and any number of
 * `project:<team>/<project>`. Whether the account has that much is decided once it is chosen.
 */
export function parseScope(scope: string | undefined): RequestedScope {
  const permissions = new Set<Permission>();
  const projects = new Set<string>();
  for (const item of (scope ?? "").split(" ").filter(Boolean)) {
    if ((PERMISSIONS as readonly string[]).includes(item)) permissions.add(item as Permission);
    else if (item.startsWith("project:") && ZProjectPathShape.safeParse(item.slice(8)).success)
      projects.add(item.slice(8));
    else
      throw new OAuthError(
        "invalid_scope",
        `scope ${JSON.stringify(item.slice(0, 80))} is not read, write, admin or project:<team>/<project>.`,
      );
  }
  if (permissions.size > 1)
    throw new OAuthError("invalid_scope", "Name at most one of read, write and admin in scope.");
  if (projects.size > 100) throw new OAuthError("invalid_scope", "Name at most 100 projects in scope.");
  return { permission: [...permissions][0] ?? null, projects: projects.size > 0 ? [...projects] : null };
}

/** Checks the form before any token is read: grant type, token type, size. */
export function checkForm(form: TTokenExchangeForm) {
  if (form.grant_type !== TOKEN_EXCHANGE_GRANT) {
    throw new OAuthError("unsupported_grant_type", `Use grant_type=${TOKEN_EXCHANGE_GRANT}.`);
  }
  if (!SUBJECT_TOKEN_TYPES.includes(form.subject_token_type)) {
    throw new OAuthError(
      "invalid_request",
      `subject_token_type must be ${SUBJECT_TOKEN_TYPES.join(" or ")}.`,
    );
  }
  if (form.requested_token_type && form.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new OAuthError("invalid_request", `Deputy issues only ${ACCESS_TOKEN_TYPE}.`);
  }
}

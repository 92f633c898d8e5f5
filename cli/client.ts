// A typed client of /api/v1, one method per operation of openapi.json, named by its operationId.
// Its types come from the same zod schemas that generate the document and validate requests
// (lib/api), so the client cannot drift from the server; tests check every method's path against
// the document. Every import from lib/ is `import type`: erased at run time, so the CLI never
// loads the server's code.
import type { z } from "zod";
import type { ZAuditQuery } from "@/lib/audit/query";
import type { ZLeakReport } from "@/lib/keys/leaks";
import type { Route } from "@/lib/api/router";
import type { ZAuditEvent } from "@/lib/api/audit-routes";
import type { ZLeakReportAnswer } from "@/lib/api/leak-routes";
import type { addIdentityProviderRoute, ZIdentityProvider, ZTokenAnswer } from "@/lib/api/federation-routes";
import type {
  ZOrgMember,
  ZTeam,
  ZTeamMember,
  createTeamRoute,
  renameTeamRoute,
  setTeamMemberRoute,
} from "@/lib/api/team-routes";
import type { ZGrant, ZProject, createProjectRoute, updateProjectRoute } from "@/lib/api/project-routes";
import type { updateKeyRoute } from "@/lib/api/management-routes";
import type { ZSuggestionAnswer } from "@/lib/api/management-routes";
import type { ZOrgPolicies, updatePoliciesRoute } from "@/lib/api/policy-routes";
import type {
  ZWebhook,
  ZWebhookDelivery,
  createWebhookRoute,
  updateWebhookRoute,
} from "@/lib/api/webhook-routes";
import type { ZCreateRunInput } from "@/lib/runs/schemas";
import type { ZCreateRunAnswer, ZListRunsAnswer, ZListRunsQuery, ZViewerAnswer } from "@/lib/api/schemas";
import type {
  ZCreateKeyAnswer,
  ZCreateKeyBody,
  ZCreateServiceAccountBody,
  ZListKeysAnswer,
  ZListServiceAccountsAnswer,
  ZListServiceAccountsQuery,
  ZPatchServiceAccountBody,
  ZRotateKeyAnswer,
  ZRotateKeyBody,
  ZServiceAccountAnswer,
} from "@/lib/api/management-schemas";

/** The parsed body a route declares (its schema's output). */
type BodyOf<R> = R extends Route<unknown, unknown, infer B> ? B : never;
/** The same, with enumeration fields K in lower case: the API answers them so and takes any case. */
type Lowered<T, K extends keyof T> = Omit<T, K> & {
  [F in keyof Pick<T, K>]: Lowercase<Extract<T[F], string>> | Exclude<T[F], string>;
};

export type Viewer = z.infer<typeof ZViewerAnswer>;
export type ServiceAccount = z.infer<typeof ZServiceAccountAnswer>["serviceAccount"];
export type ApiKey = z.infer<typeof ZListKeysAnswer>["keys"][number];

/** GET …/keys/<keyId>/suggested-restrictions (rule 27). */
export type RestrictionSuggestion = z.infer<typeof ZSuggestionAnswer>;
export type Webhook = z.infer<typeof ZWebhook>;
export type OrgPolicies = z.infer<typeof ZOrgPolicies>;
export type PolicyChanges = BodyOf<typeof updatePoliciesRoute>;
export type WebhookDelivery = z.infer<typeof ZWebhookDelivery>;
export type CreateWebhookBody = BodyOf<typeof createWebhookRoute>;
export type UpdateWebhookBody = BodyOf<typeof updateWebhookRoute>;
export type IdentityProviderBody = BodyOf<typeof addIdentityProviderRoute>;
export type CreateTeamBody = BodyOf<typeof createTeamRoute>;
export type RenameTeamBody = BodyOf<typeof renameTeamRoute>;
export type SetTeamMemberBody = Lowered<BodyOf<typeof setTeamMemberRoute>, "role">;
export type CreateProjectBody = Lowered<BodyOf<typeof createProjectRoute>, "visibility">;
export type UpdateProjectBody = Lowered<BodyOf<typeof updateProjectRoute>, "visibility">;
export type UpdateKeyBody = BodyOf<typeof updateKeyRoute>;

export type AuditEvent = z.infer<typeof ZAuditEvent>;
export type IdentityProvider = z.infer<typeof ZIdentityProvider>;
export type TokenExchangeAnswer = z.infer<typeof ZTokenAnswer>;
export type LeakResult = z.infer<typeof ZLeakReportAnswer>["results"][number];
export type Team = z.infer<typeof ZTeam>;
export type TeamMember = z.infer<typeof ZTeamMember>;
export type Project = z.infer<typeof ZProject>;
export type ProjectGrant = z.infer<typeof ZGrant>;
export type OrgMember = z.infer<typeof ZOrgMember>;

/** The API refused: its status, SPEC §4 code and the sentence that says what to fix. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API could not be reached at all. */
export class Unreachable extends Error {}

type Query = Record<string, string | number | undefined>;

export type ClientOptions = { host: string; token: string; userAgent?: string };

/**
 * The CLI's only fetch: a network failure said as what to check (DEPUTY_HOST), and no redirects.
 *
 * Every request carries a credential: an API key or access token in Authorization, or the
 * workload's JWT as `subject_token` in the body of the token exchange. fetch's own redirect
 * handling resends a 307/308's body to wherever Location points, another host included, so a
 * DEPUTY_HOST that answers with a redirect (a hijacked or misconfigured proxy) would receive
 * the JWT and pass it on. The CLI follows none: every 3xx is refused, same origin or not —
 * /api/v1 never redirects, so a redirect always means DEPUTY_HOST names the wrong place, and
 * refusing them all leaves no origin comparison to get wrong (http→https on the same host name
 * is another origin; a same-origin hop could still lead on to another). The refusal names
 * where the redirect pointed so the user can set DEPUTY_HOST to that place.
 */
async function reach(host: string, url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "manual" });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Unreachable(`Could not reach Deputy at ${host} (${reason}). Check DEPUTY_HOST.`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw new Unreachable(redirectRefusal(host, url, response));
  }
  return response;
}

function redirectRefusal(host: string, url: string, response: Response): string {
  const location = response.headers.get("location");
  let target: URL | null = null;
  try {
    target = location ? new URL(location, url) : null;
  } catch {
    target = null;
  }
  if (!target) {
    return `The server at ${host} answered a redirect (${response.status}) without a usable Location; Deputy's CLI does not follow redirects with credentials. Check DEPUTY_HOST.`;
  }
  // The DEPUTY_HOST to suggest: the target without the API path the CLI asked for (what follows
  // DEPUTY_HOST's own path), when it ends so.
  const asked = new URL(url).pathname.slice(new URL(host).pathname.replace(/\/+$/, "").length);
  const suggestion = target.pathname.endsWith(asked)
    ? `${target.origin}${target.pathname.slice(0, -asked.length)}`
    : null;
  const where = `${target.origin}${target.pathname}`;
  return (
    `The server at ${host} answered a redirect (${response.status}) to ${where}; ` +
    "Deputy's CLI does not follow redirects with credentials. " +
    (suggestion
      ? `Set DEPUTY_HOST to ${suggestion} if that is your Deputy.`
      : "Set DEPUTY_HOST to the final URL.")
  );
}

/**
 * The host of DEPUTY_HOST when credentials sent there cross the network in clear text: an
 * http:// URL whose host is not loopback (localhost, 127.0.0.0/8, ::1). Null otherwise.
 */
export function plainHttpRemoteHost(host: string): string | null {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return null;
  }
  if (url.protocol !== "http:") return null;
  // WHATWG URL parsing normalises 127.1, 0x7f.0.0.1 and [0:0::1] to 127.0.0.1 and [::1], and
  // [::ffff:127.0.0.1] to [::ffff:7f00:1].
  const name = url.hostname.toLowerCase().replace(/\.$/, "");
  const loopback =
    name === "localhost" ||
    name === "[::1]" ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(name) ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
  return loopback ? null : url.host;
}

/** RFC 8693 exchange of a workload's JWT for an access token (no credential needed). */
export async function exchangeToken(
  host: string,
  jwt: string,
  options: { serviceAccount?: string; userAgent?: string } = {},
): Promise<TokenExchangeAnswer> {
  const url = `${host.replace(/\/+$/, "")}/api/v1/oauth/token`;
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: jwt,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    ...(options.serviceAccount ? { service_account: options.serviceAccount } : {}),
  });
  const response = await reach(host, url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": options.userAgent ?? "deputy-cli",
    },
    body: form,
  });
  const body = (await response.json().catch(() => ({}))) as Partial<TokenExchangeAnswer> & {
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new ApiRefusal(
      response.status,
      body.error ?? "error",
      body.error_description ?? `HTTP ${response.status}`,
    );
  }
  return body as TokenExchangeAnswer;
}

const seg = (value: string) => encodeURIComponent(value);

export function createClient(options: ClientOptions) {
  const host = options.host.replace(/\/+$/, "");

  async function send<T>(
    method: string,
    path: string,
    init: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const url = `${host}${path}${search.size > 0 ? `?${search}` : ""}`;
    const response = await reach(host, url, {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        "user-agent": options.userAgent ?? "deputy-cli",
        ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new Unreachable(
        `${host} did not answer like Deputy (status ${response.status}). Check DEPUTY_HOST.`,
      );
    }
    if (!response.ok) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiRefusal(
        response.status,
        error?.code ?? "error",
        error?.message ?? `HTTP ${response.status}`,
      );
    }
    return body as T;
  }

  return {
    getViewer: () => send<Viewer>("GET", "/api/v1/viewer"),

    createRun: (body: z.input<typeof ZCreateRunInput>) =>
      send<z.infer<typeof ZCreateRunAnswer>>("POST", "/api/v1/runs", { body }),
    listRuns: (entity: string, project: string, query: Partial<z.input<typeof ZListRunsQuery>> = {}) =>
      send<z.infer<typeof ZListRunsAnswer>>("GET", `/api/v1/projects/${seg(entity)}/${seg(project)}/runs`, {
        query: query as Query,
      }),

    listServiceAccounts: (query: Partial<z.input<typeof ZListServiceAccountsQuery>> = {}) =>
      send<z.infer<typeof ZListServiceAccountsAnswer>>("GET", "/api/v1/service-accounts", {
        query: query as Query,
      }),
    createServiceAccount: (body: z.input<typeof ZCreateServiceAccountBody>) =>
      send<z.infer<typeof ZServiceAccountAnswer>>("POST", "/api/v1/service-accounts", { body }),
    getServiceAccount: (account: string) =>
      send<z.infer<typeof ZServiceAccountAnswer>>("GET", `/api/v1/service-accounts/${seg(account)}`),
    updateServiceAccount: (account: string, body: z.input<typeof ZPatchServiceAccountBody>) =>
      send<z.infer<typeof ZServiceAccountAnswer>>("PATCH", `/api/v1/service-accounts/${seg(account)}`, {
        body,
      }),
    deleteServiceAccount: (account: string) =>
      send<undefined>("DELETE", `/api/v1/service-accounts/${seg(account)}`),

    listKeys: (account: string) =>
      send<z.infer<typeof ZListKeysAnswer>>("GET", `/api/v1/service-accounts/${seg(account)}/keys`),
    createKey: (account: string, body: z.input<typeof ZCreateKeyBody>) =>
      send<z.infer<typeof ZCreateKeyAnswer>>("POST", `/api/v1/service-accounts/${seg(account)}/keys`, {
        body,
      }),
    revokeKey: (account: string, keyId: string) =>
      send<undefined>("DELETE", `/api/v1/service-accounts/${seg(account)}/keys/${seg(keyId)}`),
    rotateKey: (account: string, keyId: string, body: z.input<typeof ZRotateKeyBody>) =>
      send<z.infer<typeof ZRotateKeyAnswer>>(
        "POST",
        `/api/v1/service-accounts/${seg(account)}/keys/${seg(keyId)}/rotate`,
        { body },
      ),

    reportLeakedKeys: (report: z.input<typeof ZLeakReport>) =>
      send<{ results: LeakResult[] }>("POST", "/api/v1/leaked-keys", { body: report }),

    listAuditEvents: (query: Partial<z.input<typeof ZAuditQuery>> = {}) =>
      send<{ events: AuditEvent[]; nextCursor: string | null }>("GET", "/api/v1/audit-events", {
        query: query as Query,
      }),

    listIdentityProviders: () =>
      send<{ identityProviders: IdentityProvider[] }>("GET", "/api/v1/identity-providers"),
    addIdentityProvider: (body: IdentityProviderBody) =>
      send<{ identityProvider: IdentityProvider }>("POST", "/api/v1/identity-providers", { body }),
    removeIdentityProvider: (id: string) =>
      send<undefined>("DELETE", `/api/v1/identity-providers/${seg(id)}`),

    getOrgPolicies: () => send<{ policies: OrgPolicies }>("GET", "/api/v1/org/policies"),
    updateOrgPolicies: (body: PolicyChanges) =>
      send<{ policies: OrgPolicies }>("PATCH", "/api/v1/org/policies", { body }),
    listWebhooks: () => send<{ webhooks: Webhook[] }>("GET", "/api/v1/webhooks"),
    createWebhook: (body: CreateWebhookBody) =>
      send<{ webhook: Webhook; secret: string }>("POST", "/api/v1/webhooks", { body }),
    getWebhook: (id: string) => send<{ webhook: Webhook }>("GET", `/api/v1/webhooks/${seg(id)}`),
    updateWebhook: (id: string, body: UpdateWebhookBody) =>
      send<{ webhook: Webhook }>("PATCH", `/api/v1/webhooks/${seg(id)}`, { body }),
    deleteWebhook: (id: string) => send<undefined>("DELETE", `/api/v1/webhooks/${seg(id)}`),
    listWebhookDeliveries: (id: string, query: { limit?: number; cursor?: string } = {}) =>
      send<{ deliveries: WebhookDelivery[]; nextCursor: string | null }>(
        "GET",
        `/api/v1/webhooks/${seg(id)}/deliveries`,
        { query: query },
      ),
    testWebhook: (id: string) =>
      send<{ delivery: WebhookDelivery }>("POST", `/api/v1/webhooks/${seg(id)}/test`),
    resendWebhookDelivery: (id: string, deliveryId: string) =>
      send<{ delivery: WebhookDelivery }>(
        "POST",
        `/api/v1/webhooks/${seg(id)}/deliveries/${seg(deliveryId)}/resend`,
      ),

    suggestKeyRestrictions: (account: string, keyId: string) =>
      send<RestrictionSuggestion>(
        "GET",
        `/api/v1/service-accounts/${seg(account)}/keys/${seg(keyId)}/suggested-restrictions`,
      ),

    updateKey: (account: string, keyId: string, body: UpdateKeyBody) =>
      send<{ key: ApiKey }>("PATCH", `/api/v1/service-accounts/${seg(account)}/keys/${seg(keyId)}`, {
        body,
      }),

    listTeams: () => send<{ teams: Team[] }>("GET", "/api/v1/teams"),
    createTeam: (body: CreateTeamBody) => send<{ team: Team }>("POST", "/api/v1/teams", { body }),
    getTeam: (team: string) => send<{ team: Team }>("GET", `/api/v1/teams/${seg(team)}`),
    renameTeam: (team: string, body: RenameTeamBody) =>
      send<{ team: Team }>("PATCH", `/api/v1/teams/${seg(team)}`, { body }),
    deleteTeam: (team: string) => send<undefined>("DELETE", `/api/v1/teams/${seg(team)}`),

    listTeamMembers: (team: string) =>
      send<{ members: TeamMember[] }>("GET", `/api/v1/teams/${seg(team)}/members`),
    setTeamMember: (team: string, email: string, body: SetTeamMemberBody) =>
      send<{ member: TeamMember }>("PUT", `/api/v1/teams/${seg(team)}/members/${seg(email)}`, { body }),
    removeTeamMember: (team: string, email: string) =>
      send<undefined>("DELETE", `/api/v1/teams/${seg(team)}/members/${seg(email)}`),

    listTeamProjects: (team: string) =>
      send<{ projects: Project[] }>("GET", `/api/v1/teams/${seg(team)}/projects`),
    createProject: (team: string, body: CreateProjectBody) =>
      send<{ project: Project }>("POST", `/api/v1/teams/${seg(team)}/projects`, { body }),
    getProject: (team: string, project: string) =>
      send<{ project: Project }>("GET", `/api/v1/projects/${seg(team)}/${seg(project)}`),
    updateProject: (team: string, project: string, body: UpdateProjectBody) =>
      send<{ project: Project }>("PATCH", `/api/v1/projects/${seg(team)}/${seg(project)}`, { body }),
    deleteProject: (team: string, project: string) =>
      send<undefined>("DELETE", `/api/v1/projects/${seg(team)}/${seg(project)}`),

    listProjectAccess: (team: string, project: string) =>
      send<{ grants: ProjectGrant[] }>("GET", `/api/v1/projects/${seg(team)}/${seg(project)}/access`),
    /** `principal`: a person's email, or a service account's name or display identity. */
    grantProjectAccess: (team: string, project: string, principal: string) =>
      send<{ grant: ProjectGrant }>(
        "PUT",
        `/api/v1/projects/${seg(team)}/${seg(project)}/access/${seg(principal)}`,
        { body: {} },
      ),
    revokeProjectAccess: (team: string, project: string, principal: string) =>
      send<undefined>("DELETE", `/api/v1/projects/${seg(team)}/${seg(project)}/access/${seg(principal)}`),

    listOrgMembers: () => send<{ members: OrgMember[] }>("GET", "/api/v1/members"),
  };
}

export type DeputyClient = ReturnType<typeof createClient>;

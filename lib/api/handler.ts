// The /api/v1 HTTP API (SPEC §4), served by a lean node:http handler beside Next.js in the same
// process: automation's hot path skips the page framework entirely (see README, Performance).
import type { IncomingMessage, ServerResponse } from "node:http";
import { config } from "@/lib/config/env";
import { ClusterFailureLimiter } from "@/lib/auth/shared-failures";
import { ACCESS_TOKEN_PREFIX, KEY_LENGTH, KEY_PREFIX } from "@/lib/keys/format";
import { verifyAccessToken } from "@/lib/federation/access-tokens";
import { LastUsedRecorder } from "@/lib/keys/last-used";
import { verifyApiKey, type VerifiedKey } from "@/lib/keys/verify";
import { ApiError, sendEmpty, sendError, sendJson, sendJsonText } from "./errors";
import { createDispatcher, toApiError, type DispatchContext } from "./router";
import { tokenExchangeRoute } from "./federation-routes";
import { API_ROUTES } from "./routes";
import { MAX_BODY_BYTES } from "./schemas";
import { clientAddressOf } from "@/lib/server/client-address";
import { countResult } from "@/lib/ops/metrics";
import { logError } from "@/lib/ops/log";
import { notePrincipal, requestIdOf } from "@/lib/ops/request-log";

export const API_PREFIX = "/api/v1";
const SLASH = 0x2f;

export type ApiHandlerOptions = {
  /** Failed credential attempts allowed per client address per minute. */
  failLimit?: number;
  lastUsed?: LastUsedRecorder;
  /** How often the failure counts are shared on PostgreSQL (rule 33; default 1 s). */
  failureSyncMs?: number;
};

const CREDENTIAL_MESSAGES = {
  missing_credential: "Send your API key in the Authorization header: Authorization: Bearer <key>.",
  invalid_credential: "The API key is not valid. Check that it was copied whole, or create a new one.",
  expired_credential: "The API key has expired. Create a new key for this service account.",
  revoked_credential: "The API key was revoked. Create a new key for this service account.",
  account_disabled: "The service account is disabled. An admin can enable it again.",
} as const;

// Query parameters that would carry a credential in a URL, where logs and proxies keep it: by
// name, or by a value holding an API key or an access token.
const CREDENTIAL_PARAMS = /^(api[_-]?key|key|token|access[_-]?token|auth|authorization)$/i;
const CREDENTIAL_IN_VALUE = new RegExp(`(${KEY_PREFIX}|${ACCESS_TOKEN_PREFIX})[0-9A-Za-z]{12}_`);

/** Creates the request handler; it answers every /api/v1 path with JSON. */
export function createApiHandler(options: ApiHandlerOptions = {}) {
  // Rule 33: on PostgreSQL the counts are shared by every instance (lib/auth/shared-failures.ts).
  const limiter = new ClusterFailureLimiter("api", options.failLimit ?? config().authFailLimit, 60_000, {
    syncMs: options.failureSyncMs,
  });
  // Refused token exchanges have a budget of their own: one misconfigured workload behind a NAT
  // must not lock every API key of that address out, nor the other way round.
  const exchangeLimiter = new ClusterFailureLimiter(
    "exchange",
    options.failLimit ?? config().authFailLimit,
    60_000,
    { syncMs: options.failureSyncMs },
  );
  const lastUsed = options.lastUsed;

  async function authenticate(req: IncomingMessage, address: string): Promise<VerifiedKey> {
    const waitMs = limiter.retryAfterMs(address);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new ApiError(
        429,
        "rate_limited",
        `Too many failed attempts from this address. Retry in ${seconds} s.`,
        {
          "retry-after": String(seconds),
        },
      );
    }
    const header = req.headers.authorization;
    if (!header) throw new ApiError(401, "missing_credential", CREDENTIAL_MESSAGES.missing_credential);
    const token = /^Bearer +(\S+)$/i.exec(header.length <= KEY_LENGTH + 16 ? header.trim() : "")?.[1] ?? "";
    const result = token.startsWith(ACCESS_TOKEN_PREFIX)
      ? await verifyAccessToken(token)
      : await verifyApiKey(token);
    if (!result.ok) {
      limiter.recordFailure(address);
      countResult("verifications", result.code);
      throw new ApiError(401, result.code, CREDENTIAL_MESSAGES[result.code]);
    }
    // Before the address check: a refused use of a valid key is worth its line.
    notePrincipal(req, principalLabel(result.value));
    const { addresses } = result.value.restrictions;
    if (addresses && !addresses.includes(address)) {
      countResult("verifications", "ip_not_allowed");
      // Counted like a bad key: a stolen key tried from elsewhere soon meets the rate limit.
      limiter.recordFailure(address);
      throw new ApiError(
        403,
        "ip_not_allowed",
        // Names the restriction, not its ranges: whoever holds a stolen key learns nothing.
        `This key may be used only from its allowed IP ranges (allowedIps), and this request came from ${address}.`,
      );
    }
    countResult("verifications", "ok");
    if (result.value.type === "access_token") {
      lastUsed?.recordAccount(result.value.serviceAccount.id, new Date());
    } else {
      lastUsed?.record(result.value.key.id, new Date(), {
        accountId: result.value.serviceAccount.id,
        ip: address,
      });
    }
    return result.value;
  }

  const dispatcher = createDispatcher(API_ROUTES);
  const noteUse = lastUsed
    ? (caller: VerifiedKey, kind: "read" | "write" | "admin", project?: string) => {
        if (caller.type !== "access_token")
          lastUsed.note(caller.key.id, caller.serviceAccount.id, new Date(), kind, project);
      }
    : undefined;
  const shared: SharedState = { authenticate, limiter, exchangeLimiter, noteUse };

  return async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      // Split the path by hand: a URL object per request is measurable on the hot path.
      const rawUrl = req.url ?? "/";
      const queryAt = rawUrl.indexOf("?");
      const searchParams = new URLSearchParams(queryAt === -1 ? "" : rawUrl.slice(queryAt + 1));
      if (queryAt !== -1) refuseCredentialsInUrl(searchParams);
      const address = clientAddressOf(req);
      const rawPath = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
      let end = rawPath.length;
      while (end > 0 && rawPath.charCodeAt(end - 1) === SLASH) end--;
      const path = end === rawPath.length ? rawPath : rawPath.slice(0, end);
      const answer = await dispatcher.dispatch(
        req,
        path,
        searchParams,
        new ApiCall(req, address, path === tokenExchangeRoute.path, shared),
      );
      if ("json" in answer) return sendJsonText(res, answer.status, answer.json);
      if ("body" in answer) return sendJson(res, answer.status, answer.body, answer.headers);
      sendEmpty(res, answer.status);
    } catch (error) {
      const known = toApiError(error);
      if (known) return sendError(res, known);
      logError("Unexpected error in the API", error, { reqId: requestIdOf(res) });
      return sendError(
        res,
        new ApiError(500, "internal_error", "Something went wrong on our side. Try again."),
      );
    }
  };
}

type SharedState = {
  authenticate(req: IncomingMessage, address: string): Promise<VerifiedKey>;
  limiter: ClusterFailureLimiter;
  exchangeLimiter: ClusterFailureLimiter;
  noteUse: DispatchContext["noteUse"];
};

/** One API request's capabilities, for the dispatcher: methods, so a request allocates one object. */
class ApiCall implements DispatchContext {
  readonly noteUse: DispatchContext["noteUse"];
  constructor(
    private readonly req: IncomingMessage,
    readonly ip: string,
    private readonly exchange: boolean,
    private readonly shared: SharedState,
  ) {
    this.noteUse = shared.noteUse;
  }
  authenticate(): Promise<VerifiedKey> {
    return this.shared.authenticate(this.req, this.ip);
  }
  readBody(): Promise<unknown> {
    return readJson(this.req);
  }
  readForm(): Promise<Record<string, string>> {
    return readForm(this.req);
  }
  readRawBody(): Promise<Buffer> {
    return readBytes(this.req);
  }
  failures() {
    // Refused token exchanges count toward a budget of their own.
    const limiter = this.exchange ? this.shared.exchangeLimiter : this.shared.limiter;
    const ip = this.ip;
    return {
      retryAfterSeconds: () => Math.ceil(limiter.retryAfterMs(ip) / 1000),
      record: () => limiter.recordFailure(ip),
      forgive: () => limiter.forgive(ip),
    };
  }
  decodeSegment(segment: string): string {
    return decodeSegment(segment);
  }
}

/** A credential in a URL ends up in logs and proxies: refused, with the advice to revoke it. */
function refuseCredentialsInUrl(searchParams: URLSearchParams): void {
  for (const [name, value] of searchParams) {
    if (CREDENTIAL_PARAMS.test(name) || CREDENTIAL_IN_VALUE.test(value)) {
      throw new ApiError(
        400,
        "invalid_request",
        "Credentials are accepted only in the Authorization header: a key in a URL ends up in logs. Revoke that key.",
      );
    }
  }
}

// A verified credential is shared while it is cached: its log label is built once, not per request.
const principalLabels = new WeakMap<VerifiedKey, string>();
function principalLabel(verified: VerifiedKey): string {
  let label = principalLabels.get(verified);
  if (label === undefined) {
    label =
      verified.type === "access_token"
        ? `${verified.serviceAccount.identity} (access token)`
        : `${verified.serviceAccount.identity} (key ${verified.key.id})`;
    principalLabels.set(verified, label);
  }
  return label;
}

/** Percent-decodes a path segment; what it may contain is the route's params schema's business. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, "invalid_request", "The path is not valid URL encoding.");
  }
}

/** Reads a body of at most MAX_BODY_BYTES. */
async function readRaw(req: IncomingMessage): Promise<string> {
  return (await readBytes(req)).toString("utf8");
}

/** The body's bytes, exactly as sent (signatures are over bytes). */
export async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge(req);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body; refuses anything else with a clear message. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, "invalid_request", "Send a JSON body with Content-Type: application/json.");
  }
  const text = await readRaw(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_request", "The body is not valid JSON.");
  }
}

/** Reads a form-encoded body (OAuth's token endpoint); a repeated field is refused. */
async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new ApiError(
      415,
      "invalid_request",
      "Send a form body with Content-Type: application/x-www-form-urlencoded.",
    );
  }
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(await readRaw(req))) {
    if (name in form)
      throw new ApiError(400, "invalid_request", `${name} is repeated; send each parameter once.`);
    form[name] = value;
  }
  return form;
}

function tooLarge(req: IncomingMessage): ApiError {
  // Stop reading; the answer goes out and the connection closes.
  req.resume();
  return new ApiError(413, "invalid_request", `The body is larger than ${MAX_BODY_BYTES / 1024} KB.`, {
    connection: "close",
  });
}

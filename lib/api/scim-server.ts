// /scim/v2 (rule 35) over node:http, beside /api/v1: a bearer SCIM token (never an API key or an
// access token) names the org; answers are application/scim+json; every refusal is a SCIM error.
import { logError } from "@/lib/ops/log";
import { notePrincipal, requestIdOf } from "@/lib/ops/request-log";
import type { IncomingMessage, ServerResponse } from "node:http";
import { config } from "@/lib/config/env";
import { ClusterFailureLimiter } from "@/lib/auth/shared-failures";
import { AppError } from "@/lib/errors";
import { isDatabaseUnavailable, isUniqueViolation } from "@/lib/db/errors";
import { clientAddressOf } from "@/lib/server/client-address";
import { ScimError } from "@/lib/scim/errors";
import { SCIM_BASE_PATH, SCIM_TOKEN_PREFIX, verifyScimToken } from "@/lib/scim/tokens";
import { resourceTypes, schemas, serviceProviderConfig, listResponse } from "@/lib/scim/resources";
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from "@/lib/scim/users";
import type { ScimSource } from "@/lib/scim/source";
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from "@/lib/scim/groups";
import { ApiError } from "./errors";
import { readBytes } from "./handler";

export { SCIM_BASE_PATH };

const ID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;
const CONTENT_TYPE = "application/scim+json; charset=utf-8";

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  if (body === undefined) {
    res.writeHead(status, { "cache-control": "no-store", ...headers });
    res.end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": CONTENT_TYPE,
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(payload);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/(scim\+)?json\b/i.test(type)) {
    throw new ScimError(415, "Send a JSON body with Content-Type: application/scim+json.", "invalidSyntax");
  }
  let bytes: Buffer;
  try {
    bytes = await readBytes(req);
  } catch (error) {
    if (error instanceof ApiError) throw new ScimError(error.status, error.message, "tooMany", error.headers);
    throw error;
  }
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ScimError(400, "The body is not valid JSON.", "invalidSyntax");
  }
}

function discovery(segments: string[]): unknown {
  const [what, id] = segments;
  if (what === "ServiceProviderConfig" && !id) return serviceProviderConfig();
  const all = what === "ResourceTypes" ? resourceTypes() : what === "Schemas" ? schemas() : null;
  if (!all) return undefined;
  if (!id) return listResponse(all, all.length, 1);
  const one = all.find((r) => r.id === id);
  if (!one) throw new ScimError(404, `${what}/${id} does not exist.`);
  return one;
}

/** Creates the /scim/v2 handler; `failLimit` failed tokens per address per minute. */
export function createScimHandler(options: { failLimit?: number; failureSyncMs?: number } = {}) {
  const limiter = new ClusterFailureLimiter("scim", options.failLimit ?? config().authFailLimit, 60_000, {
    syncMs: options.failureSyncMs,
  });

  async function authenticate(req: IncomingMessage, address: string): Promise<string> {
    const waitMs = limiter.retryAfterMs(address);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new ScimError(
        429,
        `Too many failed attempts from this address. Retry in ${seconds} s.`,
        undefined,
        {
          "retry-after": String(seconds),
        },
      );
    }
    const header = req.headers.authorization ?? "";
    const token = /^Bearer +(\S+)$/i.exec(header.length <= 128 ? header.trim() : "")?.[1] ?? "";
    const verified = token ? await verifyScimToken(token) : null;
    if (!verified) {
      if (token) limiter.recordFailure(address);
      throw new ScimError(
        401,
        token && !token.startsWith(SCIM_TOKEN_PREFIX)
          ? "Only an org's SCIM token is accepted here, not an API key or access token: generate one in Settings → SCIM provisioning."
          : token
            ? "The SCIM token is not valid (revoked or replaced?): generate a new one in Settings → SCIM provisioning."
            : "Send the org's SCIM token: Authorization: Bearer <token>.",
        undefined,
        { "www-authenticate": 'Bearer realm="deputy-scim"' },
      );
    }
    notePrincipal(req, `scim (org ${verified.orgId})`);
    return verified.orgId;
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[],
    query: URLSearchParams,
  ) {
    const method = req.method ?? "GET";
    const known = discovery(segments);
    if (known !== undefined) {
      if (method !== "GET") throw new ScimError(405, `${segments[0]} is read-only: use GET.`);
      return send(res, 200, known);
    }
    const [collection, id, extra] = segments;
    if ((collection !== "Users" && collection !== "Groups") || extra !== undefined) {
      throw new ScimError(
        404,
        "Not a SCIM endpoint: use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes or /Schemas.",
      );
    }
    const address = clientAddressOf(req);
    const orgId = await authenticate(req, address);
    const source: ScimSource = { orgId, ip: address, userAgent: req.headers["user-agent"] ?? null };
    if (id !== undefined && !ID_SHAPE.test(id))
      throw new ScimError(404, `${collection.slice(0, -1)} ${id.slice(0, 64)} was not found.`);
    const users = collection === "Users";
    if (id === undefined) {
      if (method === "GET")
        return send(res, 200, users ? await listUsers(orgId, query) : await listGroups(orgId, query));
      if (method === "POST") {
        const body = await readJson(req);
        const created = users ? await createUser(source, body) : await createGroup(source, body);
        return send(res, 201, created, { location: created.meta.location });
      }
      throw new ScimError(405, `Use GET or POST on /${collection}.`);
    }
    switch (method) {
      case "GET":
        return send(res, 200, users ? await getUser(orgId, id) : await getGroup(orgId, id, query));
      case "PUT": {
        const body = await readJson(req);
        return send(
          res,
          200,
          users ? await replaceUser(source, id, body) : await replaceGroup(source, id, body),
        );
      }
      case "PATCH": {
        const body = await readJson(req);
        return send(res, 200, users ? await patchUser(source, id, body) : await patchGroup(source, id, body));
      }
      case "DELETE":
        await (users ? deleteUser(source, id) : deleteGroup(source, id));
        return send(res, 204);
      default:
        throw new ScimError(405, `Use GET, PUT, PATCH or DELETE on /${collection}/{id}.`);
    }
  }

  return async function handleScim(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const rawUrl = req.url ?? "/";
      const queryAt = rawUrl.indexOf("?");
      const path = (queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)).slice(SCIM_BASE_PATH.length);
      const query = new URLSearchParams(queryAt === -1 ? "" : rawUrl.slice(queryAt + 1));
      let segments: string[];
      try {
        segments = path.split("/").filter(Boolean).map(decodeURIComponent);
      } catch {
        throw new ScimError(400, "The path is not valid URL encoding.", "invalidSyntax");
      }
      await route(req, res, segments, query);
    } catch (error) {
      if (error instanceof ScimError) return send(res, error.status, error.body, error.headers);
      if (error instanceof AppError) {
        const status = error.code === "NOT_FOUND" ? 404 : error.code === "CONFLICT" ? 409 : 400;
        return send(res, status, new ScimError(status, error.message).body);
      }
      if (isDatabaseUnavailable(error)) {
        return send(
          res,
          503,
          new ScimError(503, "The database is not answering right now. Retry shortly.").body,
          {
            "retry-after": "5",
          },
        );
      }
      if (isUniqueViolation(error)) {
        return send(res, 409, new ScimError(409, "That resource already exists.", "uniqueness").body);
      }
      logError("Unexpected error in SCIM", error, { reqId: requestIdOf(res) });
      send(res, 500, new ScimError(500, "Something went wrong on our side. Try again.").body);
    }
  };
}

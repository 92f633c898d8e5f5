// Every request's id and its one log line (rule 37). The id is the caller's `x-request-id` when it
// is well formed (a load balancer's or a client's correlation id), else a fresh UUID; it goes back
// in the answer's `x-request-id`, in the API's error JSON, and in the request's log line, so a
// user's "it failed" and an operator's grep meet on one string.
import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { clientAddressOf } from "@/lib/server/client-address";
import { logRequest } from "./log";
import { observeRequest, routeLabel } from "./metrics";

export const REQUEST_ID_HEADER = "x-request-id";
const CLIENT_CLOSED = 499;

// Printable, no spaces or quotes, short: safe in a header, a JSON string and a grep. Something
// shaped like a credential is not taken either (a pasted key must not land in the log).
const WELL_FORMED_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const CREDENTIAL_SHAPED = /^(?:dp[tas]|whsec)_|^eyJ/;

/** The request id to use for a request that sent `header`. */
export function acceptRequestId(header: string | string[] | undefined): string {
  if (typeof header === "string" && WELL_FORMED_ID.test(header) && !CREDENTIAL_SHAPED.test(header)) {
    return header;
  }
  return crypto.randomUUID();
}

const PRINCIPAL = Symbol("deputy.principal");
type Noted = { [PRINCIPAL]?: string };

/**
 * Names who made the request, for its log line: a service account's identity and its key id
 * (public), or a door's own actor such as SCIM. Never a credential.
 */
export function notePrincipal(req: IncomingMessage, principal: string): void {
  (req as IncomingMessage & Noted)[PRINCIPAL] = principal;
}

const REQUEST_ID = Symbol("deputy.requestId");
type WithId = { [REQUEST_ID]?: string };

/** The id this request was given by `beginRequest`. */
export function requestIdOf(res: ServerResponse): string | undefined {
  return (res as ServerResponse & WithId)[REQUEST_ID];
}

/**
 * Gives the request its id (answer header, and the request's own header for the console behind
 * us), and counts, times and logs it once it is answered. With `answerSetsId` the answer's writer
 * puts the id in its headers itself (the API's, which writes all its headers at once).
 */
export function beginRequest(req: IncomingMessage, res: ServerResponse, answerSetsId = false): string {
  const id = acceptRequestId(req.headers[REQUEST_ID_HEADER]);
  req.headers[REQUEST_ID_HEADER] = id;
  (res as ServerResponse & WithId)[REQUEST_ID] = id;
  if (!answerSetsId) res.setHeader(REQUEST_ID_HEADER, id);
  const started = process.hrtime.bigint();
  // "close" comes after "finish", and also when the client went away first: that request is
  // counted and logged too, as 499 (nginx's "client closed request").
  res.once("close", () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED;
    observeRequest(req, status, seconds);
    logRequest({
      reqId: id,
      method: req.method,
      route: routeLabel(req),
      status,
      ms: Math.round(seconds * 1e4) / 10,
      principal: (req as IncomingMessage & Noted)[PRINCIPAL] ?? null,
      ip: clientAddressOf(req),
    });
  });
  return id;
}

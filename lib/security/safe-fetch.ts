// A fetch() for talking to an identity provider on an org admin's word (single sign-on's
// discovery, keys and token endpoint): the same rules as identity-provider fetches — public
// addresses only unless DEPUTY_ALLOW_PRIVATE_ISSUERS=1, the connection pinned to the checked
// address, one deadline, a size limit, redirects handed back, not followed.
import http from "node:http";
import https from "node:https";
import {
  FETCH_MAX_BYTES,
  FETCH_TIMEOUT_MS,
  FetchProblem,
  pinnedLookup,
  resolvePublic,
} from "@/lib/federation/fetch";

type Init = { method?: string; headers?: Record<string, string>; body?: unknown; signal?: AbortSignal };

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw new FetchProblem("Unsupported request body.");
}

/** A fetch-compatible function under the rules above. */
export function safeFetch(options: { allowPrivate: boolean }) {
  return async function fetchSafely(href: string, init: Init = {}): Promise<Response> {
    const url = new URL(href);
    if (url.protocol !== "https:" && !(options.allowPrivate && url.protocol === "http:")) {
      throw new FetchProblem(`${url.origin}: only https:// is allowed.`);
    }
    if (url.username || url.password)
      throw new FetchProblem(`${url.host}: URLs with credentials are refused.`);
    const deadline = Date.now() + FETCH_TIMEOUT_MS;
    const pinned = await resolvePublic(url, options.allowPrivate);
    const body = bodyBytes(init.body);
    return new Promise<Response>((resolve, reject) => {
      const client = url.protocol === "https:" ? https : http;
      const request = client.request(
        url,
        {
          method: init.method ?? "GET",
          headers: { ...init.headers, ...(body ? { "content-length": String(body.length) } : {}) },
          lookup: pinnedLookup(pinned),
          signal: init.signal,
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > FETCH_MAX_BYTES) {
              request.destroy();
              reject(new FetchProblem(`${url.origin} answered more than ${FETCH_MAX_BYTES / 1024} KB.`));
              return;
            }
            chunks.push(chunk);
          });
          response.on("end", () => {
            clearTimeout(timer);
            const headers = new Headers();
            for (const [name, value] of Object.entries(response.headers)) {
              if (typeof value === "string") headers.set(name, value);
              else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
            }
            const status = response.statusCode ?? 502;
            const nullBody = status === 204 || status === 304;
            resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers }));
          });
          response.on("error", reject);
        },
      );
      const timer = setTimeout(
        () => {
          request.destroy();
          reject(new FetchProblem(`${url.origin} did not answer within ${FETCH_TIMEOUT_MS / 1000} s.`));
        },
        Math.max(0, deadline - Date.now()),
      );
      request.on("error", (error) => {
        clearTimeout(timer);
        reject(error instanceof FetchProblem ? error : new FetchProblem(`${url.origin}: ${error.message}`));
      });
      request.end(body);
    });
  };
}

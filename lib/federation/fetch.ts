// Fetching an identity provider's discovery document and key set without becoming a way into
// the private network (SSRF): https only, every resolved address public, the connection pinned
// to the address that was checked (no DNS rebinding between check and connect), redirects only
// to the same host, a timeout and a size limit. DEPUTY_ALLOW_PRIVATE_ISSUERS=1 lifts the
// address and scheme rules for issuers inside a private network (and the tests' local issuer).
import { lookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import net, { type LookupFunction } from "node:net";
import { issuerUrlProblem } from "./issuer-url";

export const FETCH_TIMEOUT_MS = 5000;
export const FETCH_MAX_BYTES = 256 * 1024;
const MAX_REDIRECTS = 3;

/** A fetch Deputy refused or that failed, with a sentence that says what to fix. */
export class FetchProblem extends Error {}

const PRIVATE = new net.BlockList();
for (const [address, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(address, prefix, "ipv4");
}
for (const [address, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  PRIVATE.addSubnet(address, prefix, "ipv6");
}

/** Whether an address is loopback, private, link-local, multicast or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return PRIVATE.check(mapped[1]!, "ipv4");
    return PRIVATE.check(address, "ipv6");
  }
  return true;
}

const ISSUER_HINT =
  "Deputy fetches only public issuers. Set DEPUTY_ALLOW_PRIVATE_ISSUERS=1 for an identity provider inside your network.";

/**
 * The address to connect to for `url`: every address it resolves to must be public (unless
 * `allowPrivate`), and the caller pins its connection to the one returned. `hint` ends the
 * refusal with what the operator can do (identity providers and webhooks have their own switch).
 */
export async function resolvePublic(
  url: URL,
  allowPrivate: boolean,
  hint = ISSUER_HINT,
): Promise<{ address: string; family: number }> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: { address: string; family: number }[];
  if (net.isIP(host)) {
    addresses = [{ address: host, family: net.isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      throw new FetchProblem(`${url.host} does not resolve: check the host name.`);
    }
  }
  if (!allowPrivate) {
    const blocked = addresses.find((a) => isPrivateAddress(a.address));
    if (blocked) {
      throw new FetchProblem(`${url.host} resolves to a private address (${blocked.address}); ${hint}`);
    }
  }
  return addresses[0]!;
}

function checkScheme(url: URL, allowPrivate: boolean) {
  const problem = issuerUrlProblem(url.href, allowPrivate);
  if (problem) throw new FetchProblem(problem);
}

/**
 * A `lookup` for http(s).request that connects to the address that was checked, whatever DNS
 * says a moment later (no rebinding between the check and the connection).
 */
export function pinnedLookup(pinned: { address: string; family: number }): LookupFunction {
  return (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };
}

/** GETs a JSON document under the rules above; throws FetchProblem with the reason. */
export async function fetchJson(href: string, options: { allowPrivate: boolean }): Promise<unknown> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new FetchProblem(`${href} is not a URL.`);
  }
  const originalHost = url.host;
  // One deadline for the whole fetch, lookups and redirects included: a server that drips a byte
  // every few seconds must not hold a key refresh (and every exchange waiting on it) for hours.
  const deadline = Date.now() + FETCH_TIMEOUT_MS;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    checkScheme(url, options.allowPrivate);
    if (url.username || url.password)
      throw new FetchProblem(`${url.host}: URLs with credentials are refused.`);
    const pinned = await beforeDeadline(resolvePublic(url, options.allowPrivate), deadline, url);
    const answer = await getOnce(url, pinned, deadline);
    if (answer.redirect) {
      const next = new URL(answer.redirect, url);
      if (next.host !== originalHost) {
        throw new FetchProblem(
          `${url.href} redirects to another host (${next.host}); Deputy does not follow it.`,
        );
      }
      url = next;
      continue;
    }
    try {
      return JSON.parse(answer.body) as unknown;
    } catch {
      throw new FetchProblem(`${url.href} did not answer JSON.`);
    }
  }
  throw new FetchProblem(`${href} redirects more than ${MAX_REDIRECTS} times.`);
}

const tooSlow = (url: URL) =>
  new FetchProblem(`${url.href} did not answer within ${FETCH_TIMEOUT_MS / 1000} s.`);

/** `work`, or a FetchProblem once `deadline` (epoch ms) has passed. */
function beforeDeadline<T>(work: Promise<T>, deadline: number, url: URL): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow(url)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function getOnce(
  url: URL,
  pinned: { address: string; family: number },
  deadline: number,
): Promise<{ body: string; redirect?: string }> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise<{ body: string; redirect?: string }>((resolveAnswer, rejectAnswer) => {
    const timer = setTimeout(
      () => {
        request.destroy();
        rejectAnswer(tooSlow(url));
      },
      Math.max(0, deadline - Date.now()),
    );
    const resolve = (value: { body: string; redirect?: string }) => {
      clearTimeout(timer);
      resolveAnswer(value);
    };
    const reject = (error: Error) => {
      clearTimeout(timer);
      rejectAnswer(error);
    };
    const request = client.get(
      url,
      {
        timeout: FETCH_TIMEOUT_MS,
        headers: { accept: "application/json", "user-agent": "Deputy identity-provider fetch" },
        lookup: pinnedLookup(pinned),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400 && response.headers.location) {
          response.resume();
          resolve({ body: "", redirect: response.headers.location });
          return;
        }
        if (status !== 200) {
          response.resume();
          reject(new FetchProblem(`${url.href} answered HTTP ${status}.`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > FETCH_MAX_BYTES) {
            request.destroy();
            reject(new FetchProblem(`${url.href} is larger than ${FETCH_MAX_BYTES / 1024} KB.`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => resolve({ body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", () => reject(new FetchProblem(`${url.href}: the connection broke.`)));
      },
    );
    request.on("timeout", () => {
      request.destroy();
      reject(tooSlow(url));
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      reject(
        error instanceof FetchProblem
          ? error
          : new FetchProblem(`${url.href} could not be fetched (${error.code ?? error.message}).`),
      );
    });
  });
}

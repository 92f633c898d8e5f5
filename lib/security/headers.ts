// SPEC §8: the headers every page and API answer carries. Pages get a fresh nonce per request
// from the proxy (Next.js puts it on its own scripts); everything else gets a policy that allows
// nothing at all, since JSON and static files never need to run anything.

/** Headers that do not depend on the request: on every answer the server sends. */
export function staticSecurityHeaders(publicUrl: string): Record<string, string> {
  const headers: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    // For browsers that predate frame-ancestors; the CSP says the same.
    "x-frame-options": "DENY",
  };
  if (publicUrl.startsWith("https://")) {
    headers["strict-transport-security"] = "max-age=31536000; includeSubDomains";
  }
  return headers;
}

/** The policy of an answer that is never a page (JSON, files): nothing may run, nothing may frame it. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * A page's policy: scripts only from this origin with this request's nonce (and what those load,
 * through 'strict-dynamic'); no plugins, no framing, forms post only here. Styles allow inline
 * `style` attributes, which Radix sets for positioning; a style cannot run code.
 */
export function pageCsp(nonce: string, options: { dev: boolean; https: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** A nonce with 128 bits of randomness, base64. */
export function createNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

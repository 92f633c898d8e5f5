// The one rule for "may Deputy use this identity-provider URL" (issuers and key-set URLs alike):
// https://, or http:// only when DEPUTY_ALLOW_PRIVATE_ISSUERS=1 (an IdP inside a private network,
// the tests' local issuer), whatever its host. Whether the address it resolves to is public is
// decided when it is fetched (fetch.ts). Browser-safe: forms use it with the server's setting.

/** Why `href` may not be used as an identity provider's URL, or null when it may. */
export function issuerUrlProblem(href: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return `${href} is not a URL: enter one like https://token.actions.githubusercontent.com.`;
  }
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") {
    return allowPrivate
      ? null
      : `${url.href} is not https: identity providers must be served over https (DEPUTY_ALLOW_PRIVATE_ISSUERS=1 allows http:// inside a private network).`;
  }
  return `${url.href} is not an https URL: use the issuer's https:// address.`;
}

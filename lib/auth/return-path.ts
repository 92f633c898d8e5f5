const BASE = "http://deputy.invalid";

/** A path that a browser resolves on this origin: one leading slash, then no slash or backslash. */
function isLocalPath(path: string): boolean {
  return path.startsWith("/") && !path.startsWith("//") && !path.startsWith("/\\");
}

/**
 * The path to return to after sign-in, only if it stays on this site: a single leading slash,
 * no scheme, no host, no backslash tricks. The check runs again on the normalised path we hand
 * back, because normalising can create a host: `/.//evil.example` and `/%2e//evil.example`
 * both normalise to `//evil.example`. Anything else becomes "/".
 */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || typeof candidate !== "string" || candidate.length > 2048) return "/";
  if (!isLocalPath(candidate)) return "/";
  if (/[\p{Cc}\\]/u.test(candidate)) return "/";
  try {
    const url = new URL(candidate, BASE);
    if (url.origin !== BASE) return "/";
    if (url.pathname === "/login" || url.pathname === "/logout") return "/";
    const normalised = `${url.pathname}${url.search}${url.hash}`;
    if (!isLocalPath(normalised) || new URL(normalised, BASE).origin !== BASE) return "/";
    return normalised;
  } catch {
    return "/";
  }
}

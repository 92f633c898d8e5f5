/**
 * The path to return to after sign-in, only if it stays on this site: a single leading slash,
 * no scheme, no host, no backslash tricks. Anything else becomes "/".
 */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || typeof candidate !== "string" || candidate.length > 2048) return "/";
  if (!candidate.startsWith("/") || candidate.startsWith("//") || candidate.startsWith("/\\")) return "/";
  if (/[\p{Cc}\\]/u.test(candidate)) return "/";
  try {
    const url = new URL(candidate, "http://deputy.invalid");
    if (url.origin !== "http://deputy.invalid") return "/";
    if (url.pathname === "/login" || url.pathname === "/logout") return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}

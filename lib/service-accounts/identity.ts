import { config } from "@/lib/config/env";

/** `<name>@<org>.sa.<domain>`: how a service account appears in audit logs and API answers. */
export function serviceAccountIdentity(name: string, orgSlug: string, domain = config().saDomain): string {
  return `${name}@${orgSlug}.sa.${domain}`;
}

/** The name and organization a display identity names, or null for any other text. */
export function parseServiceAccountIdentity(
  text: string,
  domain = config().saDomain,
): { name: string; orgSlug: string } | null {
  const at = text.lastIndexOf("@");
  const suffix = `.sa.${domain}`;
  if (at <= 0 || !text.endsWith(suffix) || text.length <= at + 1 + suffix.length) return null;
  return { name: text.slice(0, at), orgSlug: text.slice(at + 1, text.length - suffix.length) };
}

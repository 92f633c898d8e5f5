import { config } from "@/lib/config/env";

/** `<name>@<org>.sa.<domain>`: how a service account appears in audit logs and API answers. */
export function serviceAccountIdentity(name: string, orgSlug: string, domain = config().saDomain): string {
  return `${name}@${orgSlug}.sa.${domain}`;
}

// Which org's single sign-on covers an email (by its domain; one org per domain).
import { db } from "@/lib/db";

export async function orgForEmail(email: string): Promise<{ orgId: string; domain: string } | null> {
  const domain = email.slice(email.lastIndexOf("@") + 1).toLowerCase();
  const row = await db.ssoDomain.findUnique({ where: { domain }, select: { orgId: true } });
  return row ? { orgId: row.orgId, domain } : null;
}

/** The org that requires single sign-on for this email, or null (rule 34's Require single sign-on). */
export async function ssoRequiredFor(email: string): Promise<{ orgId: string; domain: string } | null> {
  const found = await orgForEmail(email);
  if (!found) return null;
  const sso = await db.orgSso.findUnique({ where: { orgId: found.orgId }, select: { requireSso: true } });
  return sso?.requireSso ? found : null;
}

import { z } from "zod";
import { zText } from "@/lib/validation/text";

/**
 * Team slugs are the first URL segment (/<team>/…), so they must never shadow a route of the
 * console or a well-known path.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "_next",
  "about",
  "account",
  "admin",
  "api",
  "app",
  "assets",
  "auth",
  "dashboard",
  "docs",
  "favicon.ico",
  "health",
  "healthz",
  "help",
  "login",
  "logout",
  "me",
  "new",
  "oauth",
  "org",
  "orgs",
  "projects",
  "public",
  "readyz",
  "metrics",
  "scim",
  "robots.txt",
  "service-accounts",
  "settings",
  "setup",
  "signin",
  "signout",
  "static",
  "status",
  "support",
  "team",
  "teams",
  "user",
  "users",
  "well-known",
  "www",
]);

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A URL slug: 2–40 lowercase letters, digits and single dashes, not a reserved word. */
export const ZSlug = z
  .string()
  .trim()
  .min(2, "Use at least 2 characters.")
  .max(40, "Use at most 40 characters.")
  .regex(
    SLUG_PATTERN,
    "Use lowercase letters, digits and single dashes (like ml-team), no leading or trailing dash.",
  )
  .refine((slug) => !RESERVED_SLUGS.has(slug), {
    message: "This name is reserved by Deputy; choose another.",
  });

/** A display name: trimmed, 1–80 characters. */
export const ZDisplayName = zText().trim().min(1, "Enter a name.").max(80, "Use at most 80 characters.");

export const ZEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Use at most 254 characters.")
  .pipe(z.email({ message: "Enter an email address like name@example.com." }));

/** First error per field, for inline form messages. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join(".") || "form";
    out[field] ??= issue.message;
  }
  return out;
}

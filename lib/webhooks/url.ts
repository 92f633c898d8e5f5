// The rules for a webhook endpoint's URL (rule 28), checked when it is added or changed: https
// (http only with DEPUTY_ALLOW_PRIVATE_WEBHOOKS=1), no credentials, at most 2,048 characters.
// Whether it resolves to a public address is checked then and again on every delivery (send.ts).
// Browser-safe.
export const MAX_WEBHOOK_URL = 2048;

/** Why `href` may not be a webhook endpoint, or null when it may. */
export function webhookUrlProblem(href: string, allowPrivate: boolean): string | null {
  if (href.length > MAX_WEBHOOK_URL) return `Use a URL of at most ${MAX_WEBHOOK_URL} characters.`;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return "Enter the receiver's URL, like https://hooks.example.com/deputy.";
  }
  if (url.username || url.password)
    return "Leave credentials out of the URL: receivers verify the signature instead.";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") {
    return allowPrivate
      ? null
      : "Use an https:// URL: deliveries carry your audit events (DEPUTY_ALLOW_PRIVATE_WEBHOOKS=1 allows http:// inside a private network).";
  }
  return "Use an https:// URL.";
}

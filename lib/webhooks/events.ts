// Webhook event types (rule 29): every audit action, plus the notices no request triggers and the
// test event. Browser-safe: the Add endpoint dialog offers the same list the API accepts.
import { AUDIT_ACTIONS } from "@/lib/audit/actions";

export const NOTICE_TYPES = [
  "api_key.expiring",
  "api_key.expired",
  "service_account.unused",
  "service_account.owner_left",
  "webhook.test",
] as const;

export const WEBHOOK_EVENT_TYPES: readonly string[] = [...AUDIT_ACTIONS, ...NOTICE_TYPES].sort();

const KNOWN = new Set(WEBHOOK_EVENT_TYPES);

export function isWebhookEventType(type: string): boolean {
  return KNOWN.has(type);
}

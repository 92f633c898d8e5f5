// One sentence per audit action (issue 21): what the console shows in the Details of the Audit
// log tab and of an account's Recent activity, so a person reads "Created API key github-actions
// (dpt_…PFrl), expires 2027-03-01" rather than the event's JSON. The export and the API keep the
// machine shape; the console keeps the action's machine name beside the sentence and the full
// metadata in a disclosure. Browser-safe: no server imports.
import type { AUDIT_ACTIONS } from "./actions";

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** A piece of a sentence: plain text, a name to emphasise, or a machine value (a key's mask, a URL). */
export type SentencePiece = string | { strong: string } | { code: string };

export type DescribedEvent = {
  action: string;
  targetName?: string | null;
  metadata: unknown;
};

type Meta = Record<string, unknown>;
type Describe = (m: Meta, target: string) => SentencePiece[];

const text = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null;
const strong = (value: unknown, fallback = "—"): SentencePiece => ({ strong: text(value) ?? fallback });
const code = (value: unknown, fallback = "—"): SentencePiece => ({ code: text(value) ?? fallback });
/** "2027-03-01" of an ISO timestamp (dates in sentences are days; the Time column has the rest). */
const day = (value: unknown): string | null => (typeof value === "string" ? value.slice(0, 10) : null);
const role = (value: unknown): string => (text(value) ?? "").toLowerCase().replaceAll("_", " ");
const plural = (n: unknown, one: string, many: string) =>
  `${typeof n === "number" ? n : 0} ${n === 1 ? one : many}`;
/** ", through SCIM" when a door other than the console made the change. */
const via = (m: Meta): string =>
  m.via === "scim"
    ? ", through SCIM"
    : m.via === "sso"
      ? ", through single sign-on"
      : m.via === "api"
        ? ", through the API"
        : "";
const key = (m: Meta): SentencePiece[] => [strong(m.keyName, "(unnamed)"), " (", code(m.key), ")"];
const fromTo = (m: Meta, format: (v: unknown) => string = (v) => text(v) ?? "—"): SentencePiece[] =>
  "from" in m || "to" in m ? [" from ", { strong: format(m.from) }, " to ", { strong: format(m.to) }] : [];
/** "name and description" of a `changes` map ({field: {from, to}}). */
const changedFields = (changes: unknown): string => {
  const fields = changes && typeof changes === "object" ? Object.keys(changes) : [];
  if (fields.length === 0) return "settings";
  const words = fields.map((f) => f.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
};
/** " (a, b)" of the parts that are known, or nothing. */
const parenthesised = (parts: string[]): string => {
  const known = parts.filter(Boolean);
  return known.length ? ` (${known.join(", ")})` : "";
};
const expiry = (m: Meta): string => {
  const d = day(m.expiresAt);
  return d ? `, expires ${d}` : ", never expires";
};

const SENTENCES: Record<AuditAction, Describe> = {
  "access_token.leaked": (m, t) => [
    "Short-lived access of ",
    strong(t),
    " was reported leaked",
    ...(text(m.foundAt) ? [" (", text(m.foundAt)!, ")"] : []),
    " and revoked",
  ],
  "api_key.created": (m) => [
    "Created API key ",
    ...key(m),
    expiry(m),
    ...(text(m.replaces) ? [", replacing ", code(m.replaces)] : []),
  ],
  "api_key.leak_acknowledged": (m) => [`Acknowledged ${plural(m.keys, "leaked key", "leaked keys")}`],
  "api_key.leaked": (m) => [
    "API key ",
    ...key(m),
    " was reported leaked",
    ...(text(m.foundAt) ? [" (", text(m.foundAt)!, ")"] : []),
    " and revoked",
  ],
  "api_key.renamed": (m) => ["Renamed API key ", code(m.key), ...fromTo(m)],
  "api_key.restrictions_changed": (m) => ["Changed the restrictions of API key ", ...key(m)],
  "api_key.revoked": (m) => ["Revoked API key ", ...key(m)],
  "api_key.rotated": (m) => [
    "Rotated API key ",
    ...key(m),
    ...(text(m.replacedBy) ? ["; replaced by ", code(m.replacedBy)] : []),
    ...(day(m.stopsWorkingAt) ? [`; the old key stops working ${day(m.stopsWorkingAt)}`] : []),
  ],
  "auth.sign_in_failures_burst": (m) => [
    `${plural(m.failures, "failed sign-in", "failed sign-ins")} in ${plural(m.windowMinutes, "minute", "minutes")}`,
  ],
  "auth.sso_password_bypass": (m) => [
    "Signed in with a password although ",
    strong(m.domain),
    " requires single sign-on (an org admin's way back in)",
  ],
  "auth.sso_refused": (m) => [
    "Single sign-on refused",
    ...(text(m.email) ? [" for ", strong(m.email)] : []),
    ...(text(m.reason) ? [": ", text(m.reason)!] : []),
  ],
  "auth.sso_sign_in": (m) => [
    "Signed in with single sign-on",
    ...(text(m.issuer) ? [" from ", code(m.issuer)] : []),
    m.joined === true ? " and joined the organization" : "",
  ],
  "demo.seeded": () => ["Seeded the demo organization"],
  "identity_provider.added": (m) => [
    "Added identity provider ",
    strong(m.name),
    ...(typeof m.keyCount === "number" ? [` (${plural(m.keyCount, "signing key", "signing keys")})`] : []),
  ],
  "identity_provider.removed": (m) => ["Removed identity provider ", strong(m.name)],
  "org.created": (m, t) => ["Created the organization ", strong(m.name ?? t)],
  "org.member_added": (m, t) => [
    "Added ",
    strong(t),
    ` to the organization as ${role(m.role) || "member"}`,
    via(m),
  ],
  "org.member_removed": (m, t) => ["Removed ", strong(t), " from the organization", via(m)],
  "org.member_role_changed": (m, t) => ["Changed the org role of ", strong(t), ...fromTo(m, role)],
  "org.policies_changed": (m) => [`Changed the org's ${changedFields(m.changes)} policy`],
  "org.settings_changed": (m) => [`Changed the org's ${changedFields(m.changes)}`],
  "org.sso_changed": (m) => [
    "Changed single sign-on",
    ...(text(m.issuer) ? [" (", code(m.issuer), ")"] : []),
    m.requireSso === true ? "; required for its email domains" : "",
  ],
  "project.access_granted": (m, t) => ["Gave ", strong(m.principal), " access to ", strong(t)],
  "project.access_removed": (m, t) => ["Removed the access of ", strong(m.principal), " to ", strong(t)],
  "project.created": (m, t) => [
    "Created project ",
    strong(t),
    text(m.visibility) ? ` (${role(m.visibility)})` : "",
    via(m),
  ],
  "project.deleted": (_m, t) => ["Deleted project ", strong(t)],
  "project.updated": (_m, t) => ["Changed the description of ", strong(t)],
  "project.visibility_changed": (m, t) => ["Changed the visibility of ", strong(t), ...fromTo(m, role)],
  "scim.token_generated": (m) => [
    m.replaced === true ? "Replaced the SCIM token with " : "Generated a SCIM token ",
    code(m.hint),
  ],
  "scim.token_revoked": (m) => ["Revoked the SCIM token ", code(m.hint)],
  "service_account.created": (m, t) => [
    "Created service account ",
    strong(t),
    parenthesised([
      m.scope === "ORG" ? "org-scoped" : text(m.team) ? `team ${text(m.team)}` : "",
      role(m.role),
    ]),
    m.authMethod === "FEDERATED" ? ", trusting its identity provider's tokens" : "",
  ],
  "service_account.deleted": (m, t) => [
    "Deleted service account ",
    strong(t),
    `; ${plural(m.keysRevoked, "key", "keys")} revoked`,
  ],
  "service_account.disabled": (_m, t) => ["Disabled service account ", strong(t)],
  "service_account.enabled": (_m, t) => ["Enabled service account ", strong(t)],
  "service_account.federation_updated": (m, t) => [
    "Changed the trust settings of ",
    strong(t),
    ...(text(m.issuer) ? [" (issuer ", code(m.issuer), ")"] : []),
  ],
  "service_account.updated": (m, t) => [`Changed the ${changedFields(m.changes)} of `, strong(t)],
  "team.created": (m, t) => ["Created team ", strong(m.name ?? t), via(m)],
  "team.deleted": (_m, t) => ["Deleted team ", strong(t)],
  "team.member_added": (m, t) => [
    "Added ",
    strong(t),
    " to team ",
    strong(m.team),
    ` as ${role(m.role) || "member"}`,
    via(m),
  ],
  "team.member_removed": (m, t) => ["Removed ", strong(t), " from team ", strong(m.team), via(m)],
  "team.member_role_changed": (m, t) => [
    "Changed the role of ",
    strong(t),
    " in team ",
    strong(m.team),
    ...fromTo(m, role),
  ],
  "team.renamed": (m) => ["Renamed team", ...fromTo(m), via(m)],
  "token_exchange.granted": (m, t) => [
    "Exchanged a token from ",
    code(m.issuer),
    " for short-lived access as ",
    strong(t),
    ...(day(m.expiresAt) ? [` (until ${String(m.expiresAt).slice(11, 16)} UTC)`] : []),
  ],
  "token_exchange.refused": (m, t) => [
    "Refused a token exchange",
    t !== "—" ? " for " : "",
    ...(t !== "—" ? [strong(t)] : []),
    ...(text(m.reason) ? [": ", text(m.reason)!] : []),
  ],
  "user.password_changed": () => ["Changed their password"],
  "user.sessions_ended": (m) => [`Ended ${plural(m.sessions, "session", "sessions")}`],
  "user.updated": (m, t) => [`Changed the ${changedFields(m)} of `, strong(t), " through SCIM"],
  "webhook.created": (_m, t) => ["Added webhook endpoint ", code(t)],
  "webhook.deleted": (_m, t) => ["Deleted webhook endpoint ", code(t)],
  "webhook.disabled": (m, t) => [
    "Disabled webhook endpoint ",
    code(t),
    ...(text(m.reason) ? [`: ${text(m.reason)}`] : []),
  ],
  "webhook.enabled": (_m, t) => ["Enabled webhook endpoint ", code(t)],
  "webhook.updated": (m, t) => [`Changed the ${changedFields(m)} of webhook endpoint `, code(t)],
};

/** True when the console has a sentence for `action`. */
export function hasSentence(action: string): action is AuditAction {
  return Object.hasOwn(SENTENCES, action);
}

/**
 * The event as a sentence. An action this build does not know (an event written by a newer
 * version) reads as its machine name; missing metadata (an older event) leaves a dash.
 */
export function auditSentence(event: DescribedEvent): SentencePiece[] {
  const metadata =
    event.metadata && typeof event.metadata === "object" && !Array.isArray(event.metadata)
      ? (event.metadata as Meta)
      : {};
  if (!hasSentence(event.action)) return [{ code: event.action }];
  return SENTENCES[event.action](metadata, event.targetName || "—").filter((piece) => piece !== "");
}

/** The sentence as plain text (tests, titles). */
export function auditSentenceText(event: DescribedEvent): string {
  return auditSentence(event)
    .map((piece) => (typeof piece === "string" ? piece : "strong" in piece ? piece.strong : piece.code))
    .join("");
}

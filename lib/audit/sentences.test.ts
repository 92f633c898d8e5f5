import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "./actions";
import { auditSentence, auditSentenceText, hasSentence } from "./sentences";

// Metadata shaped like what lib/ records for each action (see the recording sites); an event
// written before a field existed arrives with less, so every sentence is also read with `{}`.
const TYPICAL: Record<string, Record<string, unknown>> = {
  "api_key.created": { keyName: "github-actions", key: "dpt_…PFrl", expiresAt: "2027-03-01T00:00:00.000Z" },
  "api_key.rotated": {
    keyName: "ci",
    key: "dpt_…AAAA",
    replacedBy: "dpt_…BBBB",
    graceHours: 24,
    stopsWorkingAt: "2026-12-02T10:00:00.000Z",
  },
  "api_key.leaked": { keyName: "ci", key: "dpt_…AAAA", foundAt: "secret scanning — github" },
  "org.policies_changed": { changes: { maxKeyLifetimeDays: { from: null, to: 90 } } },
  "team.member_role_changed": { team: "ml", from: "MEMBER", to: "ADMIN" },
  "service_account.created": { scope: "TEAM", team: "ml", role: "WRITE", authMethod: "API_KEY" },
  "service_account.deleted": { keysRevoked: 2, shortLivedAccessRevoked: 0 },
  "webhook.updated": {
    url: { from: "https://a.example", to: "https://b.example" },
    events: { from: "all", to: [] },
  },
  "token_exchange.refused": {
    issuer: "https://token.actions.githubusercontent.com",
    reason: "audience mismatch",
  },
};

const BROKEN = /undefined|null|\[object|NaN|\(\)| {2}/;

describe("audit sentences", () => {
  it.each(AUDIT_ACTIONS)("%s reads as a sentence with or without its metadata", (action) => {
    expect(hasSentence(action)).toBe(true);
    for (const metadata of [{}, TYPICAL[action] ?? {}, null, "not an object"]) {
      const sentence = auditSentenceText({ action, targetName: "deploy-bot@acme", metadata });
      expect(sentence).not.toMatch(BROKEN);
      expect(sentence.length).toBeGreaterThan(5);
      // A sentence, not the machine name again.
      expect(sentence).not.toBe(action);
    }
  });

  it("reads the issue's example", () => {
    const event = {
      action: "api_key.created",
      targetName: "deploy@acme",
      metadata: TYPICAL["api_key.created"],
    };
    expect(auditSentenceText(event)).toBe("Created API key github-actions (dpt_…PFrl), expires 2027-03-01");
    expect(auditSentence(event)).toEqual([
      "Created API key ",
      { strong: "github-actions" },
      " (",
      { code: "dpt_…PFrl" },
      ")",
      ", expires 2027-03-01",
    ]);
  });

  it("says what changed, from what to what", () => {
    expect(
      auditSentenceText({
        action: "team.member_role_changed",
        targetName: "a@x.test",
        metadata: TYPICAL["team.member_role_changed"],
      }),
    ).toBe("Changed the role of a@x.test in team ml from member to admin");
    expect(
      auditSentenceText({
        action: "webhook.updated",
        targetName: "https://b.example",
        metadata: TYPICAL["webhook.updated"],
      }),
    ).toBe("Changed the url and events of webhook endpoint https://b.example");
    expect(
      auditSentenceText({ action: "api_key.rotated", targetName: "x", metadata: TYPICAL["api_key.rotated"] }),
    ).toBe("Rotated API key ci (dpt_…AAAA); replaced by dpt_…BBBB; the old key stops working 2026-12-02");
  });

  it("names a door other than the console", () => {
    expect(
      auditSentenceText({ action: "team.created", targetName: "ml", metadata: { name: "ML", via: "scim" } }),
    ).toBe("Created team ML, through SCIM");
  });

  it("reads an action this build does not know as its machine name", () => {
    expect(auditSentence({ action: "future.thing", metadata: {} })).toEqual([{ code: "future.thing" }]);
    expect(hasSentence("toString")).toBe(false);
    expect(hasSentence("__proto__")).toBe(false);
  });
});

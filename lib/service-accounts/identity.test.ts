import { describe, expect, it } from "vitest";
import { parseServiceAccountIdentity, serviceAccountIdentity } from "./identity";

describe("display identities", () => {
  it("reads back what it writes, and nothing else", () => {
    const identity = serviceAccountIdentity("ci-train", "acme", "deputy.local");
    expect(parseServiceAccountIdentity(identity, "deputy.local")).toEqual({
      name: "ci-train",
      orgSlug: "acme",
    });
    for (const other of [
      "ci-train",
      "person@acme.test",
      "@acme.sa.deputy.local",
      "ci@.sa.deputy.local",
      "ci@acme.sa.other.test",
    ])
      expect([other, parseServiceAccountIdentity(other, "deputy.local")]).toEqual([other, null]);
  });
});

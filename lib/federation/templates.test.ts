import { describe, expect, it } from "vitest";
import { parseClaimLines, sharedIssuerWarning } from "./templates";

describe("shared issuers", () => {
  it("warns when GitHub or GitLab.com is trusted without pinning the owner", () => {
    expect(sharedIssuerWarning("https://token.actions.githubusercontent.com", {})).toMatch(
      /repository_owner/,
    );
    expect(
      sharedIssuerWarning("https://token.actions.githubusercontent.com", { repository_owner: "acme-*" }),
    ).toMatch(/every project/);
    expect(
      sharedIssuerWarning("https://token.actions.githubusercontent.com", { repository_owner: "acme" }),
    ).toBeNull();
    expect(sharedIssuerWarning("https://gitlab.com/", { namespace_path: "" })).toMatch(/namespace_path/);
    expect(sharedIssuerWarning("https://gitlab.com", { namespace_id: "42" })).toBeNull();
    expect(sharedIssuerWarning("https://kubernetes.default.svc", {})).toBeNull();
  });

  it("reads claim conditions one per line", () => {
    expect(parseClaimLines("repository_owner=acme\n\n ref = refs/heads/* ")).toEqual({
      claims: { repository_owner: "acme", ref: "refs/heads/*" },
    });
    expect(parseClaimLines("nonsense")).toEqual({ problem: expect.stringMatching(/claim=value/) as string });
  });
});

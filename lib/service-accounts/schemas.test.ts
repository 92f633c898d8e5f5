import { describe, expect, it } from "vitest";
import { ZCreateApiKeyInput } from "@/lib/keys/schemas";
import { ZCreateServiceAccountInput, vagueNameHint } from "./schemas";

describe("service account schemas", () => {
  it("accepts a built-in account with defaults", () => {
    expect(ZCreateServiceAccountInput.parse({ name: "ci-model-training" })).toMatchObject({
      name: "ci-model-training",
      role: "MEMBER",
      authMethod: "API_KEY",
      description: "",
    });
  });

  it.each([
    ["ab", "at least 3"],
    ["x".repeat(65), "at most 64"],
    ["CI-Training", "lowercase"],
    ["ci_training", "lowercase"],
    ["-ci", "lowercase"],
  ])("refuses the name %s", (name, message) => {
    expect(ZCreateServiceAccountInput.safeParse({ name }).error?.issues[0]?.message).toContain(message);
  });

  it("requires issuer, subject and audience for a federated account", () => {
    const result = ZCreateServiceAccountInput.safeParse({
      name: "gha-deploy",
      authMethod: "FEDERATED",
      issuer: "ftp://x",
    });
    expect(result.error?.issues.map((i) => i.path[0]).sort()).toEqual(["audience", "issuer", "subject"]);
    expect(
      ZCreateServiceAccountInput.safeParse({
        name: "gha-deploy",
        authMethod: "FEDERATED",
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:acme/*:ref:refs/heads/main",
        audience: "deputy",
      }).success,
    ).toBe(true);
  });

  it("hints at vague names only", () => {
    for (const name of ["test-sa", "temp", "service-account-1", "sa", "tmp2", "my-sa", "bot"]) {
      expect(vagueNameHint(name)).toMatch(/name the workload/);
    }
    for (const name of ["ci-model-training", "nightly-retrain", "test-runner-gpu"]) {
      expect(vagueNameHint(name)).toBeNull();
    }
  });

  it("bounds key names and expiry choices", () => {
    expect(ZCreateApiKeyInput.parse({ name: "github-actions" })).toEqual({
      name: "github-actions",
      expiresIn: "90",
      // No restrictions unless the dialog asks for them (rule 24).
      permission: "same",
      projectsMode: "all",
      projects: [],
      allowedIps: "",
    });
    expect(ZCreateApiKeyInput.safeParse({ name: "", expiresIn: "90" }).success).toBe(false);
    expect(ZCreateApiKeyInput.safeParse({ name: "x", expiresIn: "7" }).success).toBe(false);
  });
});

// Provider templates for trust settings, and the warning for shared issuers: on GitHub's or
// GitLab.com's issuer anyone's pipeline can get a token, so an account that trusts it without
// pinning the owner trusts the whole world's workflows. (Google's workload identity federation
// refuses such providers outright; Deputy explains and lets the admin fix it.) Browser-safe.

export type TrustTemplate = {
  id: "github" | "gitlab" | "kubernetes";
  label: string;
  issuer: string;
  audience: string;
  subject: string;
  claims: Record<string, string>;
  hint: string;
};

export const TRUST_TEMPLATES: TrustTemplate[] = [
  {
    id: "github",
    label: "GitHub Actions",
    issuer: "https://token.actions.githubusercontent.com",
    audience: "deputy",
    subject: "repo:your-org/your-repo:ref:refs/heads/main",
    claims: { repository_owner: "your-org" },
    hint: "In the workflow: permissions: id-token: write, then request a token with audience deputy.",
  },
  {
    id: "gitlab",
    label: "GitLab CI",
    issuer: "https://gitlab.com",
    audience: "deputy",
    subject: "project_path:your-group/your-project:ref_type:branch:ref:main",
    claims: { namespace_path: "your-group" },
    hint: "In .gitlab-ci.yml: id_tokens: DEPUTY_ID_TOKEN: aud: deputy.",
  },
  {
    id: "kubernetes",
    label: "Kubernetes",
    issuer: "https://kubernetes.default.svc.cluster.local",
    audience: "deputy",
    subject: "system:serviceaccount:your-namespace:your-service-account",
    claims: {},
    hint: "Use the cluster's service-account issuer; mount a projected token with audience deputy.",
  },
];

/** Issuers anyone can get tokens from, and the claim that pins the owner on each. */
const SHARED_ISSUERS: Record<string, { provider: string; claims: string[] }> = {
  "https://token.actions.githubusercontent.com": {
    provider: "GitHub Actions",
    claims: ["repository_owner", "repository_owner_id"],
  },
  "https://gitlab.com": { provider: "GitLab.com", claims: ["namespace_path", "namespace_id"] },
};

/** A warning when a shared issuer is trusted without an exact condition on its owner claim. */
export function sharedIssuerWarning(issuer: string, claims: Record<string, string>): string | null {
  const shared = SHARED_ISSUERS[issuer.replace(/\/+$/, "")];
  if (!shared) return null;
  const pinned = shared.claims.some((name) => {
    const value = claims[name];
    return typeof value === "string" && value.length > 0 && !value.includes("*");
  });
  if (pinned) return null;
  return `${shared.provider} issues tokens to every project on it, not only yours. Add a claim condition ${shared.claims[0]} = <your org> (no *), so only your own pipelines can use this account.`;
}

/** "name=pattern" lines as claim conditions, or the first line that is not one. */
export function parseClaimLines(text: string): { claims: Record<string, string> } | { problem: string } {
  const claims: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf("=");
    if (at < 1 || at === line.length - 1)
      return { problem: `Write each condition as claim=value: "${line.slice(0, 40)}"` };
    claims[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { claims };
}

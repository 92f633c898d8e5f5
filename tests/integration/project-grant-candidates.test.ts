// The Projects tab at scale: the page embeds no grant candidates, and the access pickers search
// through a server action that re-checks who is asking and about which project.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PersonPrincipal } from "@/lib/core/principal";
import { AppError } from "@/lib/errors";
import { db } from "@/lib/db";

let currentCaller: PersonPrincipal | null = null;

vi.mock("@/lib/auth/session", () => ({
  requireActionCaller: async () => {
    if (!currentCaller) throw new AppError("UNAUTHENTICATED", "Your session has ended. Sign in again.");
    return currentCaller;
  },
}));
vi.mock("@/lib/request-context", () => ({
  requestSource: async () => ({ ip: "198.51.100.9", userAgent: "vitest" }),
}));

const { searchGrantCandidatesAction, grantProjectAccessAction } = await import("@/lib/projects/actions");
const { createProject, getProjectsPage } = await import("@/lib/projects/data");
const { makeOrg } = await import("../support/factories");

type World = Awaited<ReturnType<typeof makeOrg>>;

beforeEach(() => {
  currentCaller = null;
});

async function restrictedProject(w: World, name = "secret-eval") {
  return createProject(w.as.alphaAdmin, w.alpha.slug, { name, visibility: "RESTRICTED" });
}

async function search(caller: PersonPrincipal | null, teamSlug: string, input: unknown) {
  currentCaller = caller;
  return searchGrantCandidatesAction(teamSlug, input);
}

async function found(caller: PersonPrincipal, teamSlug: string, input: unknown) {
  const result = await search(caller, teamSlug, input);
  if (!result.ok) throw new Error(`search failed: ${result.code} ${result.error}`);
  return result.data;
}

describe("the Projects tab with thousands of service accounts", () => {
  it("embeds no candidates in the page and searches at most 20 on demand", async () => {
    const w = await makeOrg();
    const { id: projectId } = await restrictedProject(w);
    await createProject(w.as.alphaAdmin, w.alpha.slug, { name: "second-secret", visibility: "RESTRICTED" });
    const base = { orgId: w.org.id, scope: "TEAM" as const, teamId: w.alpha.id };
    await db.serviceAccount.createMany({
      data: Array.from({ length: 2_000 }, (_, i) => ({
        ...base,
        name: `${i % 2 === 0 ? "train" : "eval"}-job-${String(i).padStart(4, "0")}`,
      })),
    });

    const page = await getProjectsPage(w.as.alphaAdmin, w.alpha.slug);
    const html = JSON.stringify(page);
    expect(html.length).toBeLessThan(50_000);
    expect(html).not.toContain("train-job-");
    expect(page).not.toHaveProperty("grantableAccounts");
    expect(page.canManage).toBe(true);

    const all = await found(w.as.alphaAdmin, w.alpha.slug, { projectId, kind: "service_account", query: "" });
    expect(all.candidates).toHaveLength(20);
    expect(all.hasMore).toBe(true);

    const evals = await found(w.as.alphaAdmin, w.alpha.slug, {
      projectId,
      kind: "service_account",
      query: "EVAL-job-00",
    });
    expect(evals.candidates.length).toBeLessThanOrEqual(20);
    expect(evals.candidates.map((c) => c.value)).toEqual(
      ["0001", "0003", "0005", "0007", "0009", "0011", "0013", "0015", "0017", "0019"]
        .concat(["0021", "0023", "0025", "0027", "0029", "0031", "0033", "0035", "0037", "0039"])
        .map((n) => `eval-job-${n}`),
    );
    expect(evals.hasMore).toBe(true);

    const one = await found(w.as.alphaAdmin, w.alpha.slug, {
      projectId,
      kind: "service_account",
      query: "train-job-1234",
    });
    expect(one).toEqual({
      candidates: [{ value: "train-job-1234", label: "train-job-1234", detail: "this team" }],
      hasMore: false,
    });

    // Once granted, an account is no longer offered for that project.
    currentCaller = w.as.alphaAdmin;
    expect(
      await grantProjectAccessAction(w.alpha.slug, { projectId, serviceAccount: "train-job-1234" }),
    ).toMatchObject({ ok: true });
    expect(
      (
        await found(w.as.alphaAdmin, w.alpha.slug, {
          projectId,
          kind: "service_account",
          query: "train-job-1234",
        })
      ).candidates,
    ).toEqual([]);
  });

  it("offers org members by email or name, minus those already granted", async () => {
    const w = await makeOrg();
    const { id: projectId } = await restrictedProject(w);
    const outsider = await makeOrg();
    const people = await found(w.as.alphaAdmin, w.alpha.slug, { projectId, kind: "person", query: "" });
    const emails = people.candidates.map((c) => c.value);
    // The creator of a restricted project already has access; people of other orgs are never offered.
    expect(emails).not.toContain(w.people.alphaAdmin.email);
    expect(emails).not.toContain(outsider.people.orgAdmin.email);
    expect(emails.sort()).toEqual(
      [w.people.orgAdmin, w.people.orgMember, w.people.alphaMember, w.people.alphaViewer, w.people.betaAdmin]
        .map((p) => p.email)
        .sort(),
    );
    const byEmail = await found(w.as.alphaAdmin, w.alpha.slug, {
      projectId,
      kind: "person",
      query: w.people.betaAdmin.email.toUpperCase(),
    });
    expect(byEmail.candidates).toEqual([
      { value: w.people.betaAdmin.email, label: w.people.betaAdmin.email, detail: w.people.betaAdmin.name },
    ]);
  });
});

describe("searching grant candidates re-checks everything itself", () => {
  it("refuses callers without rights, other teams' and orgs' project ids, and bad input", async () => {
    const w = await makeOrg();
    const other = await makeOrg();
    const { id: projectId } = await restrictedProject(w);
    const { id: otherOrgProject } = await restrictedProject(other);
    const betaProject = await createProject(w.as.betaAdmin, w.beta.slug, {
      name: "beta-secret",
      visibility: "RESTRICTED",
    });
    const { id: teamProject } = await createProject(w.as.alphaAdmin, w.alpha.slug, { name: "team-only" });
    const input = { projectId, kind: "service_account", query: "" };

    expect(await search(null, w.alpha.slug, input)).toMatchObject({ ok: false, code: "UNAUTHENTICATED" });
    for (const caller of [
      w.as.alphaMember,
      w.as.alphaViewer,
      w.as.orgMember,
      w.as.betaAdmin,
      other.as.orgAdmin,
    ]) {
      expect(await search(caller, w.alpha.slug, input)).toMatchObject({ ok: false, code: "FORBIDDEN" });
    }
    // A team one administers, with a project id of another team or another org, finds nothing.
    expect(await search(w.as.betaAdmin, w.beta.slug, input)).toMatchObject({ ok: false, code: "NOT_FOUND" });
    expect(
      await search(w.as.alphaAdmin, w.alpha.slug, { ...input, projectId: betaProject.id }),
    ).toMatchObject({ ok: false, code: "NOT_FOUND" });
    expect(await search(other.as.orgAdmin, other.alpha.slug, { ...input, projectId })).toMatchObject({
      ok: false,
      code: "NOT_FOUND",
    });
    expect(
      await search(w.as.alphaAdmin, w.alpha.slug, { ...input, projectId: otherOrgProject }),
    ).toMatchObject({ ok: false, code: "NOT_FOUND" });
    // Access lists exist for restricted projects only.
    expect(await search(w.as.alphaAdmin, w.alpha.slug, { ...input, projectId: teamProject })).toMatchObject({
      ok: false,
      code: "INVALID",
    });
    for (const bad of [
      { ...input, query: "x".repeat(300) },
      { ...input, kind: "team" },
      { projectId: { in: [projectId] }, kind: "person" },
      null,
    ]) {
      expect(await search(w.as.alphaAdmin, w.alpha.slug, bad)).toMatchObject({ ok: false, code: "INVALID" });
    }
  });

  it("never offers an account the grant would refuse", async () => {
    const w = await makeOrg();
    const other = await makeOrg();
    const { id: projectId } = await restrictedProject(w);
    const now = new Date();
    await db.serviceAccount.createMany({
      data: [
        { orgId: w.org.id, scope: "ORG", teamId: w.beta.id, name: "ci-org-wide" },
        { orgId: w.org.id, scope: "TEAM", teamId: w.alpha.id, name: "ci-alpha" },
        { orgId: w.org.id, scope: "TEAM", teamId: w.beta.id, name: "ci-beta" },
        { orgId: w.org.id, scope: "TEAM", teamId: w.alpha.id, name: "ci-deleted", deletedAt: now },
        { orgId: other.org.id, scope: "ORG", teamId: other.alpha.id, name: "ci-other-org" },
      ],
    });
    const offered = await found(w.as.alphaAdmin, w.alpha.slug, {
      projectId,
      kind: "service_account",
      query: "ci-",
    });
    expect(offered.candidates.map((c) => [c.value, c.detail])).toEqual([
      ["ci-alpha", "this team"],
      ["ci-org-wide", "org-scoped"],
    ]);
    // An org admin may manage every team's projects, and is offered the same eligible accounts.
    const asOrgAdmin = await found(w.as.orgAdmin, w.alpha.slug, {
      projectId,
      kind: "service_account",
      query: "ci",
    });
    expect(asOrgAdmin.candidates.map((c) => c.value)).toEqual(["ci-alpha", "ci-org-wide"]);
  });
});

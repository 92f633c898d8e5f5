// SPEC rule 23 against the production server: an answer that says a run was written means it is
// stored — beside console actions that fail inside their transactions, and across a crash.
import { expect, listedRunIds, newAccountWithKey, signIn, test, unique } from "./fixtures";
import { freshE2eDatabase } from "./support/database";
import { startOwnServer } from "./support/server";

const DEMO = "http://127.0.0.1:3100";

/** Sends `total` run writes, `concurrency` at a time; returns the ids answered 201. */
async function burstOfRuns(
  post: (body: object) => Promise<{ status: number; id?: string }>,
  options: { total: number; concurrency: number; project: string; onAck?: (count: number) => void },
) {
  const acknowledged: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.total) {
      const i = next++;
      const answer = await post({ project: options.project, name: `burst-${i}` }).catch(() => ({
        status: 0,
      }));
      if (answer.status === 201 && "id" in answer && answer.id) {
        acknowledged.push(answer.id);
        options.onAck?.(acknowledged.length);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return acknowledged;
}

test.describe("[INTEGRITY]", () => {
  test("[INTEGRITY] concurrent API writes beside failing console actions: every 201 run is listed", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await signIn(page, "team-admin@acme.test");
    await page.goto("/ml-team/service-accounts");
    const name = `integrity-${unique()}`;
    const key = await newAccountWithKey(page, name);

    // Capture the console's own "New service account" call with a taken name: it fails inside
    // its transaction (NAME_TAKEN). We replay that exact request while the API writes.
    await page.getByRole("button", { name: "New service account" }).click();
    const dialog = page.getByRole("dialog", { name: "New service account" });
    await dialog.getByLabel("Name", { exact: true }).fill(name);
    const [actionRequest] = await Promise.all([
      page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"])),
      dialog.getByRole("button", { name: "Create" }).click(),
    ]);
    await expect(dialog.getByText("Already taken in this organization.")).toBeVisible();
    const replay = async () => {
      const response = await page.request.post(actionRequest.url(), {
        headers: { ...actionRequest.headers(), origin: DEMO },
        data: actionRequest.postData() ?? "",
      });
      return { status: response.status(), text: await response.text() };
    };

    const project = `integrity-${unique()}`;
    const [acknowledged, failures] = await Promise.all([
      burstOfRuns(
        async (body) => {
          const response = await page.request.post(`${DEMO}/api/v1/runs`, {
            headers: { authorization: `Bearer ${key}` },
            data: body,
          });
          const json = (await response.json()) as { run?: { id: string } };
          return { status: response.status(), id: json.run?.id };
        },
        { total: 300, concurrency: 25, project },
      ),
      Promise.all(Array.from({ length: 25 }, replay)),
    ]);

    // Every replayed action really failed inside its transaction, and said why.
    for (const failure of failures) {
      expect(failure.status).toBe(200);
      expect(failure.text).toContain("NAME_TAKEN");
    }
    expect(acknowledged).toHaveLength(300);
    const listed = await listedRunIds(page.request, DEMO, key, "ml-team", project);
    expect(acknowledged.filter((id) => !listed.has(id))).toEqual([]);
  });

  test("[INTEGRITY] kill -9 in the middle of a burst of API writes: every run answered 201 is there after a restart", async ({
    page,
    request,
  }) => {
    test.setTimeout(240_000);
    const databaseUrl = await freshE2eDatabase("crash");
    let server = await startOwnServer({ port: 3102, databaseUrl, env: { DEPUTY_DEMO: "1" } });
    try {
      await signIn(page, "team-admin@acme.test", undefined, `${server.url}/login`);
      await page.goto(`${server.url}/ml-team/service-accounts`);
      const key = await newAccountWithKey(page, `crash-${unique()}`);

      const project = "crash-test";
      const crash: { done: Promise<void> | null } = { done: null };
      const acknowledged = await burstOfRuns(
        async (body) => {
          const response = await request.post(`${server.url}/api/v1/runs`, {
            headers: { authorization: `Bearer ${key}` },
            data: body,
            timeout: 5_000,
          });
          const json = (await response.json()) as { run?: { id: string } };
          return { status: response.status(), id: json.run?.id };
        },
        {
          total: 600,
          concurrency: 20,
          project,
          onAck: (count) => {
            if (count === 150) crash.done = server.crash();
          },
        },
      );
      await crash.done;
      // The kill landed mid-burst: some writes were acknowledged, the rest never answered.
      expect(acknowledged.length).toBeGreaterThanOrEqual(150);
      expect(acknowledged.length).toBeLessThan(600);

      server = await startOwnServer({ port: 3102, databaseUrl });
      const listed = await listedRunIds(request, server.url, key, "ml-team", project);
      expect(acknowledged.filter((id) => !listed.has(id))).toEqual([]);
    } finally {
      await server.stop();
    }
  });
});

// Notice e-mails (SPEC rule 30) through a real SMTP server (the smtp-server package) in this test
// process: an expiring and a leaked key are mailed to the account's owner and the org's admins,
// once per key per notice, and no mail holds a whole key.
import { SMTPServer } from "smtp-server";

const port = 20_000 + Math.floor(Math.random() * 20_000);
process.env.DEPUTY_SMTP_URL = `smtp://127.0.0.1:${port}`;
process.env.DEPUTY_MAIL_FROM = "deputy@deputy.test";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { reportLeakedKeys } from "@/lib/keys/leaks";
import { runJobsOnce } from "@/lib/jobs/scheduler";
import { makeOrg } from "../support/factories";

type Mail = { from: string; to: string[]; raw: string };
const mails: Mail[] = [];
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, session, callback) {
    let raw = "";
    stream.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    stream.on("end", () => {
      mails.push({
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
        to: session.envelope.rcptTo.map((r) => r.address),
        raw,
      });
      callback();
    });
  },
});

type Org = Awaited<ReturnType<typeof makeOrg>>;
let w: Org;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  w = await makeOrg();
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("rule 30: notice e-mails", () => {
  it("mails an expiring key to its owner and the org's admins, once", async () => {
    const account = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { teamSlug: w.alpha.slug },
      { name: "mailed-trainer", owner: w.people.alphaAdmin.email },
    );
    const key = await createApiKeyFromForm(w.as.orgAdmin, account.id, { name: "nightly" });
    await db.apiKey.update({
      where: { id: key.id },
      data: { expiresAt: new Date(Date.now() + 5 * 86_400_000) },
    });
    await runJobsOnce();
    await runJobsOnce();
    const about = mails.filter((m) => m.raw.includes("mailed-trainer"));
    expect(about).toHaveLength(1);
    expect(about[0]!.from).toBe("deputy@deputy.test");
    expect(about[0]!.to.sort()).toEqual([w.people.alphaAdmin.email, w.people.orgAdmin.email].sort());
    expect(about[0]!.raw).toMatch(/Subject: API key nightly \(dpt_=E2=80=A6|Subject: =\?UTF-8/);
    expect(about[0]!.raw).toContain(key.secret.slice(-4));
    expect(about[0]!.raw).not.toContain(key.secret);
    expect(about[0]!.raw).not.toContain(key.secret.slice(4, 16));
  });

  it("mails a leaked key once, never the key itself", async () => {
    const account = await createServiceAccountFromForm(
      w.as.orgAdmin,
      { teamSlug: w.alpha.slug },
      { name: "leaky-job" },
    );
    const key = await createApiKeyFromForm(w.as.orgAdmin, account.id, { name: "pasted" });
    const reporter = { kind: "principal" as const, principal: w.as.orgAdmin, orgSlug: w.org.slug };
    await reportLeakedKeys(reporter, [{ token: key.secret, url: "https://gist.example/1" }]);
    await reportLeakedKeys(reporter, [{ token: key.secret }]);
    const about = mails.filter((m) => m.raw.includes("leaky-job"));
    expect(about).toHaveLength(1);
    // The person who created it is its owner by default.
    expect(about[0]!.to).toEqual([w.people.orgAdmin.email]);
    expect(about[0]!.raw).toContain("leaked");
    expect(about[0]!.raw).not.toContain(key.secret);
  });
});

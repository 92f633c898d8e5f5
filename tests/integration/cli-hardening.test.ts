// The `deputy` CLI against hostile input, as a spawned process (bin/deputy.mjs) against a real
// /api/v1 server: terminal escapes planted by an anonymous caller, a DEPUTY_HOST that redirects
// credentials elsewhere, a cache directory others can write, and an API key sent over plain
// http:// to another machine (issue 15, items 9 and 13).
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainHttpRemoteHost } from "@/cli/client";
import { record, table } from "@/cli/output";
import { run } from "@/cli/program";
import { safeText } from "@/cli/safe-text";
import { recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db";
import { addIdentityProvider } from "@/lib/federation/providers";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { runDeputy, type CliResult } from "../support/cli";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";
import { startLocalIssuer } from "../support/local-issuer";

// What must never reach a terminal raw: C0 (but newline), DEL, C1 (U+009B is a one-byte CSI),
// bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex -- control characters are what this test looks for
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// An OSC that sets the window title, a screen clear, a C1 CSI colour and a right-to-left override.
const PLANTED = "\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eevil";

let api: Awaited<ReturnType<typeof startApiServer>>;
let idp: Awaited<ReturnType<typeof startLocalIssuer>>;
let world: Awaited<ReturnType<typeof makeOrg>>;
let adminKey: string;
const scratch: string[] = [];

type Result = CliResult;

/** Runs the real CLI in its own process, against this file's API with the admin key unless overridden. */
function deputy(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return runDeputy(args, { DEPUTY_HOST: api.base, DEPUTY_API_KEY: adminKey, ...env });
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deputy-hardening-"));
  scratch.push(dir);
  return dir;
}

/** A node:http server on a random port that records what it received. */
async function startServer(
  handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void | Promise<void>,
  hostname = "127.0.0.1",
) {
  const received: { method: string; url: string; authorization?: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      received.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      void handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, hostname, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://${hostname}:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A federated account trusting repo:acme/* from the local issuer, and a JWT file it accepts. */
async function federatedWorkload() {
  const dir = tempDir();
  const jwtFile = path.join(dir, "oidc-token");
  const jwt = await idp.mint({ sub: "repo:acme/models" });
  fs.writeFileSync(jwtFile, jwt);
  return { jwt, jwtFile };
}

const grants = () => db.auditEvent.count({ where: { action: "token_exchange.granted" } });

beforeAll(async () => {
  api = await startApiServer();
  idp = await startLocalIssuer();
  world = await makeOrg();
  const admin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { orgSlug: world.org.slug },
    { name: "provisioner", role: "ADMIN", defaultTeam: world.alpha.slug },
  );
  adminKey = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "cli" })).secret;
  await addIdentityProvider(world.as.orgAdmin, world.org.slug, { issuer: idp.issuer, name: "CI" });
  await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    {
      name: "ci-federated",
      authMethod: "FEDERATED",
      issuer: idp.issuer,
      subject: "repo:acme/*",
      audience: "deputy",
    },
  );
});
afterAll(async () => {
  await api.close();
  await idp.close();
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe("what the CLI prints cannot drive the terminal", () => {
  it("deputy audit shows escape sequences an anonymous caller planted in a refused exchange as visible text", async () => {
    // The attacker: anyone can mint a token of a shared issuer (a GitHub Actions token); this one
    // is validly signed, names no account, and carries terminal escapes in its subject.
    const forged = await idp.mint({ sub: `repo:${PLANTED}` });
    const attack = await fetch(`${api.base}/api/v1/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: forged,
        subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
      }),
    });
    expect(attack.status).toBe(400);
    // And the same text straight in an event's actor and metadata, whatever the exchange keeps.
    await db.$transaction((tx) =>
      recordAudit(tx, {
        orgId: world.org.id,
        actor: { type: "ANONYMOUS", identity: `repo:${PLANTED}\nforged line from ${idp.issuer}` },
        action: "token_exchange.refused",
        metadata: { subject: `repo:${PLANTED}`, reason: "\u001b[31mred\u001b[0m" },
      }),
    );

    const shown = await deputy(["audit", "--action", "token_exchange.refused"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toMatch(RAW_CONTROL);
    const rows = shown.stdout.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^TIME +ACTOR TYPE +ACTOR +ACTION +TARGET$/);
    // Both events are there, their escapes visible, each on one line (the planted newline too).
    expect(rows).toHaveLength(3);
    for (const row of rows.slice(1)) {
      expect(row).toContain("repo:\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eevil");
      expect(row).toMatch(/ token_exchange\.refused /);
    }
    expect(rows.some((row) => row.includes("\\u000aforged line"))).toBe(true);

    // --json is JSON that parses back to the original text, with no raw C1 or bidi character.
    const asJson = await deputy(["audit", "--action", "token_exchange.refused", "--json"]);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(asJson.stdout).not.toMatch(RAW_CONTROL);
    expect(asJson.stdout).toContain("\\u009b31m\\u202eevil");
    const events = JSON.parse(asJson.stdout) as {
      actor: { identity: string };
      metadata: { subject?: string };
    }[];
    expect(events.every((e) => e.actor.identity.startsWith(`repo:${PLANTED}`))).toBe(true);
    expect(events.some((e) => e.metadata.subject === `repo:${PLANTED}`)).toBe(true);
  });

  it("prints the API's refusal of a planted subject without its escapes", async () => {
    const dir = tempDir();
    const jwtFile = path.join(dir, "oidc-token");
    fs.writeFileSync(jwtFile, await idp.mint({ sub: `repo:${PLANTED}` }));
    const refused = await deputy(["token", "exchange"], {
      DEPUTY_API_KEY: undefined,
      DEPUTY_IDENTITY_TOKEN_FILE: jwtFile,
      XDG_CACHE_HOME: dir,
    });
    expect([refused.code, refused.stdout]).toEqual([1, ""]);
    expect(refused.stderr).toMatch(/\(400 invalid_grant\)\n$/);
    expect(refused.stderr).not.toMatch(RAW_CONTROL);
  });

  it("escapes control, C1 and bidi characters at the print boundary, keeping tables aligned and JSON parseable", async () => {
    expect(safeText("a\u001b[2Jb\u009bc\u202ed\u2066e\u007ff\rg\nh\ti")).toBe(
      "a\\u001b[2Jb\\u009bc\\u202ed\\u2066e\\u007ff\\u000dg\\u000ah\\u0009i",
    );
    expect(safeText("line 1\n\tline 2\u001b", { multiline: true })).toBe("line 1\n\tline 2\\u001b");
    expect(safeText("ünïcødé — fine ✓")).toBe("ünïcødé — fine ✓");

    let out = "";
    const writer = { write: (s: string) => (out += s) };
    table(
      writer,
      ["NAME", "NOTE"],
      [
        ["a\u001b[2Jb", "x"],
        ["plain", "y"],
      ],
      "none",
    );
    const [header, first, second] = out.trimEnd().split("\n");
    expect(first!.indexOf("x")).toBe(header!.indexOf("NOTE"));
    expect(second!.indexOf("y")).toBe(header!.indexOf("NOTE"));
    out = "";
    record(writer, [["Name", "two\nlines"]]);
    expect(out).toBe("Name:  two\\u000alines\n");

    // Whatever reaches the CLI's writers comes out safe, JSON included: a fake API answering a
    // name with a C1 CSI in it (JSON.stringify leaves U+009B raw).
    const fake = await startServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          principal: {
            name: "evil\u009b2J\u001b]52;c;aGk=\u0007",
            identity: "x",
            scope: "org",
            organization: "o",
            team: null,
            defaultEntity: "t",
            role: "admin",
          },
          credential: { type: "api_key", name: "k\u202e", expiresAt: null },
        }),
      );
    });
    try {
      for (const args of [["whoami"], ["whoami", "--json"]]) {
        let stdout = "";
        const code = await run(
          args,
          { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } },
          { DEPUTY_HOST: fake.base, DEPUTY_API_KEY: "dpt_test" },
        );
        expect([args.join(" "), code]).toEqual([args.join(" "), 0]);
        expect(stdout).not.toMatch(RAW_CONTROL);
        expect(stdout).toContain("evil\\u009b2J\\u001b]52;c;aGk=\\u0007");
        if (args.includes("--json")) {
          expect((JSON.parse(stdout) as { principal: { name: string } }).principal.name).toBe(
            "evil\u009b2J\u001b]52;c;aGk=\u0007",
          );
        }
      }
    } finally {
      await fake.close();
    }
  });
});

describe("a DEPUTY_HOST that redirects gets no credential past it", () => {
  it("refuses a cross-origin 307 of the token exchange and of an API call: the other origin receives nothing", async () => {
    const elsewhere = await startServer((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const redirecting = await startServer((req, _body, res) => {
      res.writeHead(307, { location: `${elsewhere.base}${req.url}` }).end();
    });
    try {
      const { jwt, jwtFile } = await federatedWorkload();
      const exchange = await deputy(["token", "exchange"], {
        DEPUTY_HOST: redirecting.base,
        DEPUTY_API_KEY: undefined,
        DEPUTY_IDENTITY_TOKEN_FILE: jwtFile,
        XDG_CACHE_HOME: path.dirname(jwtFile),
      });
      // The other origin got nothing (fetch's own handling resends the JWT there), and the
      // configured host got the JWT: it is DEPUTY_HOST.
      expect(elsewhere.received).toEqual([]);
      expect(redirecting.received).toHaveLength(1);
      expect(redirecting.received[0]!.body).toContain(`subject_token=${jwt}`);
      expect([exchange.code, exchange.stdout]).toEqual([1, ""]);
      expect(exchange.stderr).toBe(
        `deputy: The server at ${redirecting.base} answered a redirect (307) to ${elsewhere.base}/api/v1/oauth/token; ` +
          `Deputy's CLI does not follow redirects with credentials. Set DEPUTY_HOST to ${elsewhere.base} if that is your Deputy.\n`,
      );

      const whoami = await deputy(["whoami"], { DEPUTY_HOST: redirecting.base });
      expect(elsewhere.received).toEqual([]);
      expect(whoami.code).toBe(1);
      expect(whoami.stderr).toMatch(/answered a redirect \(307\) to .*\/api\/v1\/viewer; .*does not follow/);
      expect(redirecting.received.map((r) => r.authorization)).toEqual([undefined, `Bearer ${adminKey}`]);
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });

  it("refuses a same-origin redirect too, and a redirect without a Location", async () => {
    const server = await startServer((req, _body, res) => {
      if (req.url === "/api/v1/viewer") res.writeHead(308, { location: "/login?next=/api/v1/viewer" }).end();
      else if (req.url === "/api/v1/service-accounts/x") res.writeHead(302).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    try {
      const same = await deputy(["whoami"], { DEPUTY_HOST: server.base });
      expect([same.code, same.stderr]).toEqual([
        1,
        `deputy: The server at ${server.base} answered a redirect (308) to ${server.base}/login; ` +
          "Deputy's CLI does not follow redirects with credentials. Set DEPUTY_HOST to the final URL.\n",
      ]);
      const bare = await deputy(["sa", "get", "x"], { DEPUTY_HOST: server.base });
      expect([bare.code, bare.stderr]).toEqual([
        1,
        expect.stringMatching(/redirect \(302\) without a usable Location/),
      ]);
      expect(server.received.map((r) => r.url)).toEqual(["/api/v1/viewer", "/api/v1/service-accounts/x"]);
    } finally {
      await server.close();
    }
  });
});

describe("the access-token cache lives only where nobody else can write", () => {
  it("creates a 0700 directory and a 0600 file, renamed into place", async () => {
    const { jwtFile } = await federatedWorkload();
    const cacheHome = tempDir();
    const env = { DEPUTY_API_KEY: undefined, DEPUTY_IDENTITY_TOKEN_FILE: jwtFile, XDG_CACHE_HOME: cacheHome };
    const before = await grants();
    expect((await deputy(["whoami"], env)).code).toBe(0);
    const second = await deputy(["whoami"], env);
    expect([second.code, second.stderr]).toEqual([0, ""]);
    expect(await grants()).toBe(before + 1);
    const dir = path.join(cacheHome, "deputy");
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const files = fs.readdirSync(dir);
    expect(files).toEqual([expect.stringMatching(/^access-[0-9a-f]{32}\.json$/)]);
    expect(fs.statSync(path.join(dir, files[0]!)).mode & 0o777).toBe(0o600);
  });

  it("does not use a pre-existing 0777 cache directory: nothing is read from it or written into it", async () => {
    const { jwt, jwtFile } = await federatedWorkload();
    const cacheHome = tempDir();
    const open = path.join(cacheHome, "deputy");
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    // Another user planted an access token where the CLI would look for one.
    const key = crypto.createHash("sha256").update(`${api.base}\n\n${jwt}`).digest("hex");
    const planted = path.join(open, `access-${key.slice(0, 32)}.json`);
    fs.writeFileSync(
      planted,
      JSON.stringify({ token: "dpa_planted", expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
      { mode: 0o600 },
    );
    const env = { DEPUTY_API_KEY: undefined, DEPUTY_IDENTITY_TOKEN_FILE: jwtFile, XDG_CACHE_HOME: cacheHome };
    const before = await grants();
    for (let i = 0; i < 2; i += 1) {
      const whoami = await deputy(["whoami", "--json"], env);
      expect(whoami.code, whoami.stderr).toBe(0);
      expect(JSON.parse(whoami.stdout)).toMatchObject({ principal: { name: "ci-federated" } });
      expect(whoami.stderr).toBe(
        `deputy: warning: not caching the access token: ${open} is writable by other users (mode 0777); run chmod 700 ${open}.\n`,
      );
    }
    // Exchanged each time: the planted token was never used, and nothing was cached.
    expect(await grants()).toBe(before + 2);
    expect(fs.readdirSync(open)).toEqual([path.basename(planted)]);
    expect(fs.readFileSync(planted, "utf8")).toContain("dpa_planted");
    expect(fs.statSync(open).mode & 0o777).toBe(0o777);
  });

  it("refuses a cache directory that is a symbolic link or another user's, and one inside a directory others can write", async () => {
    const { jwtFile } = await federatedWorkload();
    const base = { DEPUTY_API_KEY: undefined, DEPUTY_IDENTITY_TOKEN_FILE: jwtFile };

    const linked = tempDir();
    const target = tempDir();
    fs.symlinkSync(target, path.join(linked, "deputy"));
    const viaLink = await deputy(["whoami"], { ...base, XDG_CACHE_HOME: linked });
    expect([viaLink.code, viaLink.stderr]).toEqual([
      0,
      expect.stringMatching(/not caching .* is not a directory\.\n$/),
    ]);
    expect(fs.readdirSync(target)).toEqual([]);

    const shared = tempDir();
    fs.chmodSync(shared, 0o777);
    const inShared = await deputy(["whoami"], { ...base, XDG_CACHE_HOME: shared });
    expect([inShared.code, inShared.stderr]).toEqual([
      0,
      `deputy: warning: not caching the access token: ${shared} is writable by other users (mode 0777).\n`,
    ]);
    expect(fs.readdirSync(shared)).toEqual([]);

    if (process.getuid?.() === 0) {
      const foreign = tempDir();
      fs.mkdirSync(path.join(foreign, "deputy"), { mode: 0o700 });
      fs.chownSync(path.join(foreign, "deputy"), 4242, 4242);
      const owned = await deputy(["whoami"], { ...base, XDG_CACHE_HOME: foreign });
      expect([owned.code, owned.stderr]).toEqual([
        0,
        expect.stringMatching(/belongs to uid 4242, not to you/),
      ]);
      expect(fs.readdirSync(path.join(foreign, "deputy"))).toEqual([]);
    }
  });

  it("caches nothing without HOME or XDG_CACHE_HOME, and never in the temp directory", async () => {
    const { jwtFile } = await federatedWorkload();
    const tmp = tempDir();
    const env = {
      DEPUTY_API_KEY: undefined,
      DEPUTY_IDENTITY_TOKEN_FILE: jwtFile,
      HOME: undefined,
      XDG_CACHE_HOME: undefined,
      TMPDIR: tmp,
    };
    const before = await grants();
    for (let i = 0; i < 2; i += 1) {
      const whoami = await deputy(["whoami"], env);
      expect([whoami.code, whoami.stderr]).toEqual([0, ""]);
    }
    expect(await grants()).toBe(before + 2);
    // (tsx keeps its compile cache in the temp directory; Deputy keeps nothing there.)
    const inTmp = fs.readdirSync(tmp, { recursive: true }).map(String);
    expect(inTmp.filter((name) => !name.startsWith("tsx-"))).toEqual([]);
    expect(fs.readdirSync(path.dirname(jwtFile))).toEqual(["oidc-token"]);
  });
});

describe("a credential over plain http:// to another machine", () => {
  it("tells loopback from other hosts", () => {
    for (const host of [
      "http://localhost:3000",
      "http://LOCALHOST.",
      "http://127.0.0.1:3000/",
      "http://127.255.0.9",
      "http://127.1",
      "http://[::1]:3000",
      "http://[0:0:0:0:0:0:0:1]",
      "http://[::ffff:127.0.0.1]",
      "https://deputy.example.com",
      "https://192.0.2.10",
    ]) {
      expect([host, plainHttpRemoteHost(host)]).toEqual([host, null]);
    }
    for (const [host, named] of [
      ["http://deputy.example.com", "deputy.example.com"],
      ["http://192.0.2.10:8080/", "192.0.2.10:8080"],
      ["http://128.0.0.1", "128.0.0.1"],
      ["http://localhost.example.com", "localhost.example.com"],
      ["http://[fd00::2]:3000", "[fd00::2]:3000"],
      ["http://0.0.0.0:3000", "0.0.0.0:3000"],
    ] as const) {
      expect([host, plainHttpRemoteHost(host)]).toEqual([host, named]);
    }
  });

  it("warns once on stderr before sending an API key or a workload's token to a non-loopback http:// host", async () => {
    // This machine's own non-loopback address, proxying to the API; without one, a name that
    // never resolves (the warning comes before any connection).
    const address = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
    const proxy = address
      ? await startServer(async (req, body, res) => {
          const answer = await fetch(`${api.base}${req.url}`, {
            method: req.method,
            headers: Object.fromEntries(
              Object.entries(req.headers).filter(
                (e): e is [string, string] => typeof e[1] === "string" && e[0] !== "host",
              ),
            ),
            body: req.method === "GET" ? undefined : body,
          });
          res.writeHead(answer.status, {
            "content-type": answer.headers.get("content-type") ?? "text/plain",
          });
          res.end(await answer.text());
        }, address)
      : null;
    const host = proxy?.base ?? "http://deputy.invalid:9";
    const shown = new URL(host).host;
    try {
      const whoami = await deputy(["whoami"], { DEPUTY_HOST: host });
      expect(whoami.stderr.split("\n")[0]).toBe(
        `deputy: warning: sending your API key over plain http:// to ${shown}; use https://`,
      );
      expect(whoami.stderr.match(/warning/g)).toHaveLength(1);
      if (proxy) {
        expect(whoami.code, whoami.stderr).toBe(0);
        expect(whoami.stdout).toMatch(/^Service account: +provisioner$/m);
        expect(proxy.received.map((r) => r.authorization)).toEqual([`Bearer ${adminKey}`]);
      }

      const { jwtFile } = await federatedWorkload();
      const federated = await deputy(["whoami"], {
        DEPUTY_HOST: host,
        DEPUTY_API_KEY: undefined,
        DEPUTY_IDENTITY_TOKEN_FILE: jwtFile,
        XDG_CACHE_HOME: path.dirname(jwtFile),
      });
      expect(federated.stderr.split("\n")[0]).toBe(
        `deputy: warning: sending your workload's identity token and access token over plain http:// to ${shown}; use https://`,
      );
      expect(federated.stderr.match(/warning/g)).toHaveLength(1);
      if (proxy) {
        expect([federated.code, federated.stdout]).toEqual([0, expect.stringMatching(/ci-federated/)]);
      }
    } finally {
      await proxy?.close();
    }

    // Loopback: no warning.
    const local = await deputy(["whoami"]);
    expect([local.code, local.stderr]).toEqual([0, ""]);
  });
});

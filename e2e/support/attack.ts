// Tools of the red-team suite: forge server-action calls the way an attacker would (the action
// ids are public: they are in the browser's JavaScript), generate malformed inputs, and count.
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/** Every server action of the production build, by exported name, read from the client chunks. */
export function serverActionIds(): Record<string, string> {
  const ids: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".js")) {
        const text = fs.readFileSync(full, "utf8");
        // createServerReference("<id>", callServer, void 0, findSourceMapURL, "<exportedName>")
        for (const match of text.matchAll(
          /createServerReference\)?\("([0-9a-f]{40,})",[^)]*?"(\w+Action)"\)/g,
        )) {
          ids[match[2]!] = match[1]!;
        }
      }
    }
  };
  walk(path.join(ROOT, ".next", "static", "chunks"));
  return ids;
}

export type ActionAnswer = { status: number; text: string; code: string | null; ok: boolean | null };

/** Calls a server action by id with raw arguments, as a forged POST. */
export async function callAction(
  request: APIRequestContext,
  baseUrl: string,
  actionId: string,
  args: unknown[] | { raw: string; contentType?: string },
): Promise<ActionAnswer> {
  const body = Array.isArray(args) ? JSON.stringify(args) : args.raw;
  const response = await request.post(`${baseUrl}/login`, {
    headers: {
      "next-action": actionId,
      "content-type": Array.isArray(args) ? "text/plain;charset=UTF-8" : (args.contentType ?? "text/plain"),
      accept: "text/x-component",
      origin: baseUrl,
    },
    data: body,
    maxRedirects: 0,
    failOnStatusCode: false,
  });
  const text = await response.text();
  const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? null;
  const ok = /"ok":true/.test(text) ? true : /"ok":false/.test(text) ? false : null;
  return { status: response.status(), text, code, ok };
}

/** Values that are wrong in every way a form or JSON field can be wrong. */
export function malformedValues(): unknown[] {
  const deep = (levels: number): unknown => {
    let value: unknown = "x";
    for (let i = 0; i < levels; i++) value = { a: value };
    return value;
  };
  return [
    null,
    0,
    -1,
    1e308,
    true,
    "",
    " ",
    "x".repeat(10_000),
    "\u0000\u0001\u0002",
    { nested: ["ok", "nul\u0000inside"], "key\u0000": 1 },
    "\ud800",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%E0%A4%A",
    [],
    [1, 2, 3],
    {},
    { __proto__: { admin: true } },
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    { constructor: { prototype: { polluted: true } } },
    deep(50),
    deep(2000),
    Array.from({ length: 5000 }, (_, i) => i),
  ];
}

/** Raw request bodies that are not what any endpoint expects. */
export function malformedBodies(): { raw: string; contentType?: string }[] {
  return [
    { raw: "" },
    { raw: "{not json" },
    { raw: "[" },
    { raw: "null" },
    { raw: "42" },
    { raw: '"a string"' },
    { raw: "[".repeat(5000) + "]".repeat(5000) },
    { raw: `{"a":${"[".repeat(8000)}${"]".repeat(8000)}}` },
    { raw: "\u0000\u0000\u0000" },
    { raw: Buffer.from([0xff, 0xfe, 0xfd, 0xc3, 0x28]).toString("latin1") },
    { raw: "x".repeat(200_000) },
    { raw: '{"a":1}', contentType: "application/x-www-form-urlencoded" },
    { raw: "a=1&b=2", contentType: "application/x-www-form-urlencoded" },
    {
      raw: '--x\r\nContent-Disposition: form-data; name="1"\r\n\r\nx\r\n--x--',
      contentType: "multipart/form-data; boundary=x",
    },
  ];
}

/** Tallies attacks, refusals and server errors, and prints them at the end of the suite. */
export class AttackCounter {
  tried = 0;
  refused = 0;
  serverErrors: string[] = [];

  record(what: string, status: number, refused: boolean): void {
    this.tried += 1;
    if (status >= 500) this.serverErrors.push(`${what} → ${status}`);
    else if (refused) this.refused += 1;
  }

  report(): string {
    return `Red team: ${this.tried} attacks tried, ${this.refused} refused, ${this.serverErrors.length} answered 5xx.`;
  }
}

// Every operation openapi.json documents, fed inputs that violate its documented schema — wrong
// types, out-of-range numbers, unknown choices, over-long and unstorable strings, unknown fields,
// missing required fields, bad path segments, no credential — must answer 4xx, never 5xx.
// Derived from the served document, so a new route is fuzzed the day it is added.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyFromForm, createServiceAccountFromForm } from "@/lib/service-accounts";
import { startApiServer } from "../support/api-server";
import { makeOrg } from "../support/factories";
import { db } from "@/lib/db";

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  maxLength?: number;
  minLength?: number;
  maximum?: number;
  minimum?: number;
  pattern?: string;
};
type Operation = {
  operationId: string;
  parameters?: { name: string; in: "path" | "query"; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: unknown[];
};

let api: Awaited<ReturnType<typeof startApiServer>>;
let adminKey: string;
let valid: Record<string, string>;

beforeAll(async () => {
  api = await startApiServer();
  const world = await makeOrg();
  const admin = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { orgSlug: world.org.slug },
    {
      name: "fuzz-admin",
      role: "ADMIN",
      defaultTeam: world.alpha.slug,
    },
  );
  // A generous failure budget: this test sends thousands of bad requests from one address.
  adminKey = (await createApiKeyFromForm(world.as.orgAdmin, admin.id, { name: "fuzz" })).secret;
  const target = await createServiceAccountFromForm(
    world.as.orgAdmin,
    { teamSlug: world.alpha.slug },
    { name: "fuzz-target" },
  );
  const key = await createApiKeyFromForm(world.as.orgAdmin, target.id, { name: "fuzz-key" });
  await db.project.create({ data: { teamId: world.alpha.id, name: "fuzz-project" } });
  valid = { account: "fuzz-target", keyId: key.id, entity: world.alpha.slug, project: "fuzz-project" };
});
afterAll(() => api.close());

const typeOf = (value: unknown) =>
  value === null
    ? "null"
    : Array.isArray(value)
      ? "array"
      : Number.isInteger(value)
        ? "integer"
        : typeof value;

function allowedTypes(schema: JsonSchema): Set<string> | null {
  const types = new Set<string>();
  for (const part of schema.anyOf ?? [schema]) {
    if (part.type === undefined) return null;
    for (const t of [part.type].flat()) types.add(t);
  }
  if (types.has("number")) types.add("integer");
  return types;
}

/** Values that break one property's documented schema. */
function violations(schema: JsonSchema): unknown[] {
  const out: unknown[] = [];
  const types = allowedTypes(schema);
  if (types) {
    for (const value of [12345, 1.5, "text", true, {}, [], null]) {
      if (!types.has(typeOf(value)) && !(typeOf(value) === "number" && types.has("number"))) out.push(value);
    }
  }
  for (const part of schema.anyOf ?? [schema]) {
    if (part.enum) out.push("not-one-of-the-choices");
    if (part.maxLength !== undefined) out.push("x".repeat(part.maxLength + 1));
    if (part.minLength !== undefined && part.minLength > 0) out.push("");
    if (part.maximum !== undefined) out.push(part.maximum + 1);
    if (part.minimum !== undefined) out.push(part.minimum - 1);
    if (part.pattern !== undefined) out.push("Not Valid! ✗");
    if ([part.type].flat().includes("string")) out.push("\ud800 lone surrogate", "nul \u0000 inside");
  }
  return out;
}

/** A body that satisfies the schema's required fields with plausible values, to mutate one field at a time. */
function plausibleBody(schema: JsonSchema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    const property = schema.properties?.[name] ?? {};
    const choice = (property.anyOf ?? [property]).find((p) => p.enum)?.enum?.[0];
    body[name] =
      choice ?? (name === "team" ? valid.entity : name === "project" ? valid.project : "fuzz-value");
  }
  return body;
}

/** Percent-encodes, writing a lone surrogate as the bytes a careless client would send. */
function encodeLoosely(text: string) {
  return text
    .replace(/[\ud800-\udfff]/g, "\u0000surrogate")
    .split("\u0000surrogate")
    .map(encodeURIComponent)
    .join("%ED%A0%80");
}

function pathOf(template: string, override: Record<string, string> = {}) {
  return template.replace(
    /\{(\w+)\}/g,
    (_m, name: string) => override[name] ?? encodeURIComponent(valid[name] ?? name),
  );
}

describe("openapi.json fuzzing", () => {
  it("answers every documented operation's schema violations with 4xx, never 5xx", async () => {
    const document = (await api.call("/api/v1/openapi.json")).body as unknown as {
      paths: Record<string, Record<string, Operation>>;
    };
    const results: string[] = [];
    let sent = 0;
    const send = async (
      label: string,
      method: string,
      path: string,
      init: { body?: unknown; raw?: string; key?: string | null; headers?: Record<string, string> },
    ) => {
      const answer = await api.call(path, {
        method,
        key: init.key === null ? undefined : (init.key ?? adminKey),
        body: init.body,
        raw: init.raw,
        headers: init.headers,
      });
      sent += 1;
      if (answer.status < 400 || answer.status >= 500) results.push(`${label}: ${answer.status}`);
    };

    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [lower, operation] of Object.entries(operations)) {
        const method = lower.toUpperCase();
        const label = (what: string) => `${operation.operationId} ${what}`;
        const body = operation.requestBody?.content["application/json"]?.schema;
        const form = operation.requestBody?.content["application/x-www-form-urlencoded"]?.schema;
        // Ask the same paths again for each probe: a DELETE that worked would change what follows.
        const bodyFor = (b: unknown) => ({ body: b });

        for (const parameter of operation.parameters ?? []) {
          if (parameter.in === "path") {
            for (const bad of ["x".repeat(300), "%00", "%E0%A4%A", "%ED%A0%80"]) {
              await send(
                label(`path ${parameter.name}=${bad.slice(0, 12)}`),
                method,
                pathOf(template, { [parameter.name]: bad }),
                body ? bodyFor(plausibleBody(body)) : {},
              );
            }
          } else {
            // A query string carries text: a number or a boolean is text to a string parameter,
            // and percent-encoded lone surrogates decode to U+FFFD.
            const textual = allowedTypes(parameter.schema)?.has("string") ?? true;
            for (const bad of violations(parameter.schema)) {
              if (bad === null || typeof bad === "object") continue;
              if (textual && (typeof bad !== "string" || bad.includes("\ud800"))) continue;
              const text = typeof bad === "string" ? bad : JSON.stringify(bad);
              const query = `?${parameter.name}=${encodeLoosely(text)}`;
              await send(
                label(`query ${parameter.name}=${text.slice(0, 12)}`),
                method,
                pathOf(template) + query,
                {},
              );
            }
          }
        }
        if (operation.parameters?.some((p) => p.in === "query")) {
          await send(label("unknown query field"), method, `${pathOf(template)}?surprise=1`, {});
        }
        if (body) {
          const base = plausibleBody(body);
          for (const [name, property] of Object.entries(body.properties ?? {})) {
            for (const bad of violations(property)) {
              await send(
                label(`body ${name}=${JSON.stringify(bad).slice(0, 16)}`),
                method,
                pathOf(template),
                bodyFor({ ...base, [name]: bad }),
              );
            }
          }
          for (const name of body.required ?? []) {
            const rest = { ...base };
            delete rest[name];
            await send(label(`body without ${name}`), method, pathOf(template), bodyFor(rest));
          }
          await send(
            label("unknown body field"),
            method,
            pathOf(template),
            bodyFor({ ...base, surprise: 1 }),
          );
          for (const whole of [null, [], "text", 42, { [`${"k".repeat(300)}`]: 1 }]) {
            await send(
              label(`body ${JSON.stringify(whole).slice(0, 12)}`),
              method,
              pathOf(template),
              bodyFor(whole),
            );
          }
          await send(label("body not JSON"), method, pathOf(template), { raw: "{not json" });
          await send(label("body text/plain"), method, pathOf(template), {
            raw: JSON.stringify(base),
            headers: { "content-type": "text/plain" },
          });
        }
        if (form) {
          // Form bodies (the token endpoint): every field carries text, so only text violations.
          const formOf = (fields: Record<string, string>) => ({
            raw: new URLSearchParams(fields).toString(),
            headers: { "content-type": "application/x-www-form-urlencoded" },
          });
          const base = Object.fromEntries((form.required ?? []).map((name) => [name, "fuzz"]));
          for (const [name, property] of Object.entries(form.properties ?? {})) {
            for (const bad of violations(property)) {
              if (typeof bad !== "string" || bad.includes("\ud800")) continue;
              await send(
                label(`form ${name}=${bad.slice(0, 12)}`),
                method,
                pathOf(template),
                formOf({ ...base, [name]: bad }),
              );
            }
          }
          for (const name of form.required ?? []) {
            const rest = { ...base };
            delete rest[name];
            await send(label(`form without ${name}`), method, pathOf(template), formOf(rest));
          }
          await send(
            label("form unknown field"),
            method,
            pathOf(template),
            formOf({ ...base, surprise: "1" }),
          );
          await send(label("form repeated field"), method, pathOf(template), {
            raw: "grant_type=a&grant_type=b",
            headers: { "content-type": "application/x-www-form-urlencoded" },
          });
          await send(label("form as JSON"), method, pathOf(template), { body: base });
        }
        if (operation.security === undefined) {
          await send(label("no credential"), method, pathOf(template), {
            key: null,
            body: body ? plausibleBody(body) : undefined,
          });
        }
      }
    }
    expect(results).toEqual([]);
    // Hundreds of probes, not a handful: the document has many operations and fields.
    console.log(`openapi fuzz: ${sent} schema violations sent, all answered 4xx`);
    expect(sent).toBeGreaterThan(250);
  }, 120_000);
});

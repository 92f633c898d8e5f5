import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS } from "./actions";

// Every action the code records must be in the Action filter's list, or the audit log's filter
// can never find those events (api_key.leaked was missing for a whole stop).
function recordedActions(dir: string, found = new Set<string>()): Set<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // authz/ names permissions ("team.view"), not audit actions.
      if (entry.name !== "generated" && entry.name !== "authz") recordedActions(full, found);
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".test.ts")) {
      for (const line of fs.readFileSync(full, "utf8").split("\n")) {
        if (!/\baction\b/.test(line)) continue;
        for (const match of line.matchAll(/"([a-z_]+\.[a-z_]+)"/g)) found.add(match[1]!);
      }
    }
  }
  return found;
}

describe("audit actions", () => {
  it("lists every action that lib/ records", () => {
    const recorded = [...recordedActions(path.resolve(import.meta.dirname, ".."))].filter(
      (a) => !a.endsWith(".ts") && !a.endsWith(".json"),
    );
    expect(recorded.length).toBeGreaterThan(20);
    expect(recorded.filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a)).sort()).toEqual([]);
  });
});

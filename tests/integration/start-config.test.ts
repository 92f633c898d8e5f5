// `npm start` refuses bad configuration before touching the database, one line per problem.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..", "..");

describe("npm start with bad configuration", () => {
  it("exits with a message for each bad value", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
      cwd: root,
      env: {
        ...process.env,
        PORT: "eighty",
        DEPUTY_AUTH_FAIL_LIMIT: "-3",
        DATABASE_URL: "postgresql://db/deputy",
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Deputy cannot start. Invalid configuration:");
    expect(result.stderr).toContain("- PORT must be a number, e.g. 3000");
    expect(result.stderr).toContain("- DEPUTY_AUTH_FAIL_LIMIT must be at least 1");
    expect(result.stderr).toContain("- DATABASE_URL must be a SQLite file URL");
  });
});

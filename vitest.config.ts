import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    environment: "node",
    include: ["lib/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/fresh-database.ts"],
    pool: "forks",
    testTimeout: 20_000,
    // The tests' identity provider is a local http:// server (tests/support/local-issuer.ts).
    // Log lines (rule 37) are tested where they are read; elsewhere they would drown the report.
    env: { DEPUTY_ALLOW_PRIVATE_ISSUERS: "1", DEPUTY_LOG_LEVEL: process.env.DEPUTY_LOG_LEVEL ?? "silent" },
    hookTimeout: 60_000,
  },
});

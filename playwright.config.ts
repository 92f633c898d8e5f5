import fs from "node:fs";
import { defineConfig } from "@playwright/test";
import { E2E_ENGINE, e2eDatabaseUrl, freshE2eDatabase } from "./e2e/support/database";

// Browser tests run against the production build, on two servers: one with the demo data and
// one on an empty database (for /setup). Each run uses fresh databases — SQLite files, or
// PostgreSQL databases with DEPUTY_E2E_ENGINE=postgresql; the runner's workers inherit
// DEPUTY_E2E_RUN, so they agree on the names, and only the runner creates them (before the
// servers start, which is before any global setup would run).
process.env.DEPUTY_E2E_RUN ??= String(Date.now());
if (E2E_ENGINE === "postgresql" && !process.env.DEPUTY_E2E_DATABASES) {
  await freshE2eDatabase("demo");
  await freshE2eDatabase("empty");
  process.env.DEPUTY_E2E_DATABASES = "created";
}

export const DEMO_URL = "http://127.0.0.1:3100";
export const EMPTY_URL = "http://127.0.0.1:3101";

/** Debian's Chromium (or DEPUTY_CHROMIUM_PATH); Playwright's own browser where neither exists. */
function chromiumPath(): string | undefined {
  const candidates = [process.env.DEPUTY_CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p): p is string => Boolean(p) && fs.existsSync(p!));
}

const server = (port: number, db: string, extraEnv: Record<string, string>) => ({
  command: "node --import tsx scripts/start.ts",
  url: `http://127.0.0.1:${port}/login`,
  reuseExistingServer: false,
  timeout: 180_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
  env: {
    PORT: String(port),
    DATABASE_URL: e2eDatabaseUrl(db),
    DEPUTY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    NEXT_TELEMETRY_DISABLED: "1",
    ...extraEnv,
  },
});

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // Artifacts in a subfolder: Playwright empties its outputDir, and the reports sit beside it.
  outputDir: "test-results/e2e-artifacts",
  reporter: [
    ["list"],
    [
      "json",
      { outputFile: `test-results/playwright${E2E_ENGINE === "postgresql" ? "-postgresql" : ""}.json` },
    ],
  ],
  use: {
    baseURL: DEMO_URL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  // The red-team suite guesses passwords from 127.0.0.1 like every other test: a higher per-address
  // limit keeps its guesses from pausing the rest of the suite (the per-account limit stays 10).
  // The federation tests' identity provider is a local http:// issuer in the test process.
  webServer: [
    server(3100, "demo", {
      DEPUTY_DEMO: "1",
      DEPUTY_AUTH_FAIL_LIMIT: "200",
      DEPUTY_ALLOW_PRIVATE_ISSUERS: "1",
      // The webhook tests' receiver is a local http:// server in the test process.
      DEPUTY_ALLOW_PRIVATE_WEBHOOKS: "1",
    }),
    server(3101, "empty", {}),
  ],
});

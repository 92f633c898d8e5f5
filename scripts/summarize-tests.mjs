// Prints the suite's last line, "N passed, M failed", from the Vitest and Playwright JSON
// reports of each engine. A failed step (type-check, lint, build, install, PostgreSQL) counts as
// one failure; a suite that did not report did not run, which is a failure too. Exits 1 on any.
import fs from "node:fs";

const failedSteps = process.argv.slice(2);
const expectPostgres = process.env.DEPUTY_EXPECT_POSTGRES === "1";
let passed = 0;
let failed = 0;
const lines = [];

function read(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

const suites = [
  ["Vitest, SQLite", "test-results/vitest.json", "vitest", true],
  ["Vitest, PostgreSQL", "test-results/vitest-postgresql.json", "vitest", expectPostgres],
  ["Playwright, SQLite", "test-results/playwright.json", "playwright", true],
  ["Playwright, PostgreSQL", "test-results/playwright-postgresql.json", "playwright", expectPostgres],
];
for (const [name, file, kind, expected] of suites) {
  const report = read(file);
  if (!report) {
    if (expected) {
      failed += 1;
      lines.push(`${name} did not run.`);
    }
    continue;
  }
  let ok;
  let bad;
  if (kind === "vitest") {
    ok = report.numPassedTests;
    bad = report.numFailedTests;
  } else {
    const { expected: e = 0, unexpected = 0, flaky = 0 } = report.stats ?? {};
    ok = e;
    bad = unexpected + flaky;
  }
  passed += ok;
  failed += bad;
  lines.push(`${`${name}:`.padEnd(25)} ${ok} passed, ${bad} failed`);
}
for (const step of failedSteps) {
  failed += 1;
  lines.push(`Failed step: ${step}`);
}

console.log(`\n${lines.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

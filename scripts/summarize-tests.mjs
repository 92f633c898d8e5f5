// Prints the suite's last line, "N passed, M failed", from the Vitest and Playwright JSON
// reports of each engine. A failed step (type-check, lint, build, install, PostgreSQL) counts as
// one failure; a suite that did not report did not run, which is a failure too. Exits 1 on any.
// Each failed test is named with the first lines of its error, so the end of a CI log (often
// all that is kept of it) says what broke.
import fs from "node:fs";

const failedSteps = process.argv.slice(2);
const expectPostgres = process.env.DEPUTY_EXPECT_POSTGRES === "1";
let passed = 0;
let failed = 0;
const lines = [];
const failures = [];

/** The first few non-empty lines of an error message, without terminal colours. */
function firstLines(message = "", count = 4) {
  return (
    message
      // eslint-disable-next-line no-control-regex
      .replace(/\u001b\[[0-9;]*m/g, "")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .slice(0, count)
      .map((line) => `      ${line.slice(0, 300)}`)
  );
}

function vitestFailures(name, report) {
  for (const file of report.testResults ?? []) {
    const where = file.name.replace(`${process.cwd()}/`, "");
    const failedTests = (file.assertionResults ?? []).filter((test) => test.status === "failed");
    for (const test of failedTests) {
      failures.push(`  ${name}: ${where} › ${test.fullName}`, ...firstLines(test.failureMessages?.[0]));
    }
    // A file that failed as a whole (an import error, a failing hook) has no failed test.
    if (file.status === "failed" && failedTests.length === 0) {
      failures.push(`  ${name}: ${where}`, ...firstLines(file.message));
    }
  }
}

function playwrightFailures(name, suite) {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests ?? []) {
      if (test.status === "expected" || test.status === "skipped") continue;
      const error = (test.results ?? []).map((result) => result.error?.message).find(Boolean);
      failures.push(
        `  ${name} (${test.status}): ${spec.file}:${spec.line} › ${spec.title}`,
        ...firstLines(error),
      );
    }
  }
  for (const child of suite.suites ?? []) playwrightFailures(name, child);
}

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
    vitestFailures(name, report);
  } else {
    const { expected: e = 0, unexpected = 0, flaky = 0 } = report.stats ?? {};
    ok = e;
    bad = unexpected + flaky;
    for (const suite of report.suites ?? []) playwrightFailures(name, suite);
  }
  passed += ok;
  failed += bad;
  lines.push(`${`${name}:`.padEnd(25)} ${ok} passed, ${bad} failed`);
}
for (const step of failedSteps) {
  failed += 1;
  lines.push(`Failed step: ${step}`);
}

if (failures.length > 0) console.log(`\nFailed tests:\n${failures.join("\n")}`);
console.log(`\n${lines.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

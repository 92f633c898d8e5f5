// Prints the suite's last line, "N passed, M failed", from the Vitest and Playwright JSON
// reports. A failed step (type-check, lint, build, install) counts as one failure; exits 1 on any.
import fs from "node:fs";

const failedSteps = process.argv.slice(2);
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

const vitest = read("test-results/vitest.json");
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  lines.push(`Vitest:     ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed`);
}
const playwright = read("test-results/playwright.json");
if (playwright) {
  const { expected = 0, unexpected = 0, flaky = 0 } = playwright.stats ?? {};
  passed += expected;
  failed += unexpected + flaky;
  lines.push(`Playwright: ${expected} passed, ${unexpected + flaky} failed`);
}
for (const step of failedSteps) {
  failed += 1;
  lines.push(`Failed step: ${step}`);
}
// A suite that did not report did not run: that is a failure too.
for (const [name, report] of [
  ["Vitest", vitest],
  ["Playwright", playwright],
]) {
  if (report) continue;
  failed += 1;
  lines.push(`${name} did not run.`);
}

console.log(`\n${lines.join("\n")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

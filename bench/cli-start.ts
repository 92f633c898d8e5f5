// `npm run bench:cli`: the CLI's cold start (issue 20, item 5), side by side with its floor in the
// same run. Floor: `node -e 0` (Node starting and exiting, nothing loaded). Measured: the
// installed command, `cli/bin/deputy.mjs --version` (the launcher and the bundle that
// `npm pack ./cli` ships), and for comparison the checkout's `bin/deputy.mjs` (TypeScript
// through tsx). Runs alternate, so a busy moment of the machine hits all of them alike. Goal:
// median ≤ 150 ms and ≤ 2.5× the floor.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "../scripts/lib";

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const build = spawnSync(process.execPath, [path.join(ROOT, "cli", "build.mjs")], { stdio: "inherit" });
if (build.status !== 0) process.exit(1);

const subjects: [string, string[]][] = [
  ["floor: node -e 0", ["-e", "0"]],
  ["deputy --version (cli package)", [path.join(ROOT, "cli", "bin", "deputy.mjs"), "--version"]],
  ["deputy --help (cli package)", [path.join(ROOT, "cli", "bin", "deputy.mjs"), "--help"]],
  ["npx deputy --version (checkout, tsx)", [path.join(ROOT, "bin", "deputy.mjs"), "--version"]],
];
const times = subjects.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++) {
  subjects.forEach(([, args], i) => {
    // The checkout's tsx start is ~10× slower: a third of the runs are enough to show it.
    if (i === 3 && run % 3 !== 0) return;
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (result.status !== 0) throw new Error(`${subjects[i]![0]} exited with ${result.status}`);
    times[i]!.push(Number(process.hrtime.bigint() - started) / 1e6);
  });
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const floor = median(times[0]!);
console.log(`\nCLI cold start, ${RUNS} alternating runs (median, p90), same run:`);
subjects.forEach(([name], i) => {
  const sorted = [...times[i]!].sort((a, b) => a - b);
  const m = median(times[i]!);
  const p90 = sorted[Math.floor(sorted.length * 0.9)]!;
  console.log(
    `  ${name.padEnd(40)} ${m.toFixed(1).padStart(7)} ms  p90 ${p90.toFixed(1).padStart(7)} ms  ${(m / floor).toFixed(2)}× floor`,
  );
});
const version = median(times[1]!);
console.log(
  `\nGoal: deputy --version ≤ 150 ms and ≤ 2.5× node -e 0 → ${version.toFixed(0)} ms, ${(version / floor).toFixed(2)}×: ${version <= 150 && version / floor <= 2.5 ? "met" : "NOT met"}.`,
);

// Entry point of the `deputy` command (bin/deputy.mjs loads it).
import { run } from "./program";

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `deputy: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);

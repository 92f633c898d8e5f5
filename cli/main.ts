// Entry point of the `deputy` command (bin/deputy.mjs loads it).
import { run } from "./program";
import { safeText } from "./safe-text";

run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }, process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`deputy: unexpected failure: ${safeText(message, { multiline: true })}\n`);
    process.exitCode = 1;
  },
);

// Entry point of the `deputy` command (bin/deputy.mjs loads it).
import { run } from "./program";
import { safeText } from "./safe-text";

// `deputy audit | head -n 3` closes the pipe before the CLI is done writing: that is the reader's
// choice, not a failure to report with a stack trace. Stop writing and exit quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

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

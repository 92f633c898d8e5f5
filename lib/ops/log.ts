// Deputy's log (rule 37): one JSON object per line on stdout, written by pino, so a log shipper
// (Vector, Fluent Bit, Loki's promtail, CloudWatch) parses it without a grok pattern. Fields are
// named by us, never a raw request or error object, and every free-text field goes through
// `scrubSecrets`: no line holds a key, token, signing secret, JWT or hash, whatever an error
// message happened to quote.
import pino, { type Logger } from "pino";
import { config } from "@/lib/config/env";

// Anything shaped like a Deputy credential (dpt_ API key, dpa_ access token, dps_ SCIM token),
// a webhook signing secret, a JWT (three base64url parts, the first a JSON header "eyJ"), or a
// long hex/base64 run such as a hash. Linear-time: no nested quantifiers.
const SECRET_SHAPES =
  /\b(?:dp[tas]_[0-9A-Za-z_-]{8,}|whsec_[0-9A-Za-z+/=_-]{8,}|eyJ[0-9A-Za-z_-]{4,}\.[0-9A-Za-z_-]{4,}\.[0-9A-Za-z_-]*|[0-9a-f]{40,}|[0-9A-Za-z+/]{43,}={0,2})/g;

/** `text` with every credential-shaped run replaced by "[redacted]". */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET_SHAPES, "[redacted]");
}

let lastMs = -1;
let lastField = "";
/**
 * pino's isoTime, formatted once per millisecond: a busy API writes several lines in the same
 * one, and `toISOString` per line was a measurable part of the request path.
 */
function isoTimeField(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastField;
}

let destination: ReturnType<typeof pino.destination> | undefined;

function createLogger(): Logger {
  let level: string = "info";
  try {
    level = config().logLevel;
  } catch {
    // Configuration is reported by the start-up check; a log line must not fail because of it.
  }
  destination = pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: isoTimeField,
      messageKey: "msg",
      formatters: { level: (label) => ({ level: label }) },
    },
    // Asynchronous writes (the request path never waits for the terminal or a pipe). pino itself
    // writes what is buffered when the process exits, process.exit() included.
    destination,
  );
}

const holder = globalThis as unknown as { deputyLog?: Logger };

/** This process's logger. */
export function logger(): Logger {
  return (holder.deputyLog ??= createLogger());
}

export type RequestLine = {
  reqId: string;
  method: string | undefined;
  route: string;
  status: number;
  ms: number;
  principal: string | null;
  ip: string;
};

/**
 * A request's line, in exactly the shape pino gives the same fields (level, time, pid, the
 * fields, msg), serialised with one JSON.stringify and written to pino's own destination: pino's
 * general path (serializers, per-key checks) cost a busy API about a fifth of each request. Its
 * fields are ours and hold no free text, so there is nothing to scrub.
 */
export function logRequest(line: RequestLine): void {
  const log = logger();
  const level = line.status >= 500 ? "error" : "info";
  if (!log.isLevelEnabled(level) || !destination) {
    log[level](line, "request");
    return;
  }
  destination.write(
    `{"level":"${level}"${isoTimeField()},"pid":${process.pid},${JSON.stringify(line).slice(1, -1)},"msg":"request"}\n`,
  );
}

/** The message and, for an unexpected error, its stack, scrubbed (for a log line's `err`). */
export function describeError(error: unknown): { message: string; stack?: string } {
  if (error instanceof Error) {
    return {
      message: scrubSecrets(error.message),
      ...(error.stack ? { stack: scrubSecrets(error.stack) } : {}),
    };
  }
  return { message: scrubSecrets(String(error)) };
}

/** One error line: what failed (`msg`, ours) and the error that made it fail. */
export function logError(msg: string, error: unknown, fields: Record<string, unknown> = {}): void {
  logger().error({ ...fields, err: describeError(error) }, msg);
}

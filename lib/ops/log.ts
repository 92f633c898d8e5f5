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

/**
 * Every line of this thread's log, gathered for the rest of the event loop's turn and written
 * to stdout in one synchronous write (pino's sonic-boom, `sync: true`, pino's own default).
 *
 * Why not pino's asynchronous mode, which Deputy used before: a line then lived until the
 * thread pool had written it, which on a busy two-core machine took long enough for the young
 * generation's collector to copy and promote it — a busy API's log lines were three quarters of
 * everything promoted, and made each minor collection five times as long as the floor's (a
 * sampling heap profile showed it; issue 17). Lines written at the end of their turn die young.
 * Also: a crash loses no line (the last lines before a crash are the ones an operator wants),
 * and lines stay in order. The cost: one write per turn, for all of its lines; and a log reader
 * that stops reading stalls the server, as with any synchronous logger — the pipeline must
 * read stdout (Docker, systemd and Kubernetes do).
 */
class TurnBatchedLines {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly destination: ReturnType<typeof pino.destination>) {
    // A process.exit() in the same turn as its last lines.
    process.on("exit", () => this.handOver());
  }

  write(text: string): void {
    this.pending.push(text);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.handOverNow);
    }
  }

  private readonly handOverNow = (): void => this.handOver();

  private handOver(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join("");
    this.pending = [];
    this.destination.write(text);
  }

  /** pino's `logger.flush()`. */
  flush(callback?: (error?: Error) => void): void {
    this.handOver();
    callback?.();
  }
}

let lines: TurnBatchedLines | undefined;

function createLogger(): Logger {
  let level: string = "info";
  try {
    level = config().logLevel;
  } catch {
    // Configuration is reported by the start-up check; a log line must not fail because of it.
  }
  lines = new TurnBatchedLines(pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: isoTimeField,
      messageKey: "msg",
      formatters: { level: (label) => ({ level: label }) },
    },
    lines,
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

// Printable ASCII but `"` and `\\`: what JSON.stringify copies as it is. Request ids, methods,
// route templates, addresses and account identities always are; anything else is escaped by
// JSON.stringify itself.
const JSON_AS_IS = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const quoted = (text: string): string => (JSON_AS_IS.test(text) ? `"${text}"` : JSON.stringify(text));

/**
 * A request's line, in exactly the shape pino gives the same fields (level, time, pid, the
 * fields, msg; a test compares the two), built as one template: pino's general path
 * (serializers, per-key checks) cost a busy API about a fifth of each request, and a
 * JSON.stringify of the fields another few microseconds. Its fields are ours and hold no free
 * text, so there is nothing to scrub.
 */
export function logRequest(line: RequestLine): void {
  const log = logger();
  const level = line.status >= 500 ? "error" : "info";
  if (!log.isLevelEnabled(level) || !lines) {
    log[level](line, "request");
    return;
  }
  const method = line.method === undefined ? "" : `,"method":${quoted(line.method)}`;
  const ms = Number.isFinite(line.ms) ? line.ms : "null";
  const principal = line.principal === null ? "null" : quoted(line.principal);
  lines.write(
    `{"level":"${level}"${isoTimeField()},"pid":${process.pid},"reqId":${quoted(line.reqId)}${method},"route":${quoted(line.route)},"status":${line.status},"ms":${ms},"principal":${principal},"ip":${quoted(line.ip)},"msg":"request"}\n`,
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

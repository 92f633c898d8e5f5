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
 * Every line of this thread's log, gathered and handed to pino's destination (sonic-boom) as one
 * string per event-loop turn, and only while sonic-boom is idle. sonic-boom measures the UTF-8
 * length of its whole pending buffer on every write, so a busy API's lines written one by one,
 * or handed over while a write was in flight, cost microseconds each (a tenth of a
 * GET /api/v1/viewer). Handed over in batches to an idle destination, each line is measured
 * once. Lines keep their order: pino's own lines go through here too.
 */
class TurnBatchedLines {
  private pending: string[] = [];
  private scheduled = false;
  /** Handed a batch that sonic-boom has not finished writing (it emits "drain" when it has). */
  private busy = false;
  private destination: ReturnType<typeof pino.destination> | undefined;

  constructor() {
    process.on("exit", () => this.handOver());
  }

  /** Set right after construction (see createLogger for why not in it). */
  writeTo(destination: ReturnType<typeof pino.destination>): void {
    this.destination = destination;
    destination.on("drain", () => {
      this.busy = false;
      if (this.pending.length > 0) this.schedule();
    });
  }

  write(text: string): void {
    this.pending.push(text);
    if (this.mayHandOver()) this.schedule();
  }

  /**
   * While sonic-boom is idle; or, past a bound, without waiting for "drain" (a destination that
   * failed, for one, never emits it): sonic-boom's own limits then apply.
   */
  private mayHandOver(): boolean {
    return !this.busy || this.pending.length >= BATCH_MAX_LINES;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.handOverNow);
  }

  private readonly handOverNow = (): void => {
    this.scheduled = false;
    if (this.mayHandOver()) this.handOver();
  };

  private handOver(): void {
    if (this.pending.length === 0 || !this.destination) return;
    const pending = this.pending;
    this.pending = [];
    this.busy = true;
    // In runs of at most sonic-boom's own write size: a write still in flight when the process
    // exits is lost (pino's asynchronous mode), and this keeps that to one run, as before.
    let start = 0;
    let length = 0;
    for (let i = 0; i < pending.length; i++) {
      length += pending[i]!.length;
      if (length >= HANDOVER_MAX_CHARS || i === pending.length - 1) {
        this.destination.write(i === start ? pending[i]! : pending.slice(start, i + 1).join(""));
        start = i + 1;
        length = 0;
      }
    }
  }

  /** pino's `logger.flush()`: the waiting lines first, then sonic-boom's buffer. */
  flush(callback?: (error?: Error) => void): void {
    this.handOver();
    this.destination?.flush(callback);
  }
}

/** sonic-boom's default largest write (16 KiB), in characters. */
const HANDOVER_MAX_CHARS = 16_384;
/** Lines held while the destination writes, at most (see TurnBatchedLines.write). */
const BATCH_MAX_LINES = 2_000;

let lines: TurnBatchedLines | undefined;

function createLogger(): Logger {
  let level: string = "info";
  try {
    level = config().logLevel;
  } catch {
    // Configuration is reported by the start-up check; a log line must not fail because of it.
  }
  // The batcher registers its exit handler before pino.destination registers pino's: on exit
  // the turn's lines reach sonic-boom first, and pino then writes sonic-boom's buffer out.
  lines = new TurnBatchedLines();
  lines.writeTo(pino.destination({ dest: 1, sync: false }));
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

// The CLI's print boundary. Much of what the CLI prints comes from other people: an audit event's
// actor is the `sub` of an anonymous caller's refused token exchange, the API's error messages
// echo what was sent, a misconfigured DEPUTY_HOST can answer anything. Text from them must not
// reach the terminal as terminal commands (ESC [2J clears the screen, ESC ] 52 writes the
// clipboard, U+009B is a one-byte CSI, U+202E turns the rest of a line around). So every write the
// CLI makes goes through `safeWriter`, and table and record cells through `safeText` (single-line,
// before their widths are measured).
//
// Escapes are `\uXXXX`, visible to a person and valid inside a JSON string, so --json output stays
// JSON that parses back to the original text: JSON.stringify already escapes C0 characters, but it
// leaves C1 characters (U+0080–U+009F), bidi controls and line separators raw.

type Writer = { write(text: string): unknown };

// C0 but tab and newline, DEL, C1 (U+0080–U+009F, with U+009B CSI), the Arabic letter mark,
// LRM/RLM, the line and paragraph separators, the bidi embeddings, overrides (U+202A–U+202E) and
// isolates (U+2066–U+2069), and lone surrogates (a terminal shows them as U+FFFD at best).
const UNSAFE_MULTILINE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;
// The same, and tab and newline too: a table cell or record value stays on its line.
const UNSAFE_SINGLE_LINE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * Text safe to print: control, bidi and separator characters written as `\uXXXX`. Multi-line text
 * keeps its newlines and tabs; single-line text (the default, for cells and values) escapes them.
 */
export function safeText(text: string, options: { multiline?: boolean } = {}): string {
  return text.replace(options.multiline ? UNSAFE_MULTILINE : UNSAFE_SINGLE_LINE, escape);
}

/** A writer that passes every write through `safeText` (multi-line): the CLI's only way out. */
export function safeWriter(out: Writer): Writer {
  return { write: (text: string) => out.write(safeText(String(text), { multiline: true })) };
}

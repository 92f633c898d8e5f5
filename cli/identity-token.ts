// DEPUTY_IDENTITY_TOKEN_FILE: a workload's JWT (a GitHub Actions OIDC token, a Kubernetes
// projected service-account token) exchanged for a Deputy access token before any command, and
// cached until shortly before it expires — in a private file keyed by a hash of the host, the
// account and the JWT, so a new JWT always exchanges again.
//
// The cache holds a live credential, and a command trusts what it reads there, so it lives only
// in a directory nobody else can write: $XDG_CACHE_HOME/deputy, else $HOME/.cache/deputy, created
// 0700, used only when it is a real directory owned by the current user that group and others
// cannot write (and its parent is not open to others either, unless sticky like /tmp). Anything
// else — a pre-existing 0777 directory, another user's, no HOME, a system without POSIX owners —
// means no cache (one exchange per command) and, where something is wrong, one warning line;
// never a fall-back to the shared temp directory. Files are written 0600 to a temporary name in
// that directory and renamed into place, so a reader never sees half a file.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { exchangeToken } from "./client";

/** A usage problem the user fixes by changing the command or the environment (exit 2). */
export class UsageError extends Error {}

const MARGIN_MS = 30_000;

type Env = Record<string, string | undefined>;
type Warn = (line: string) => void;

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

/** Why the cache directory `dir` (lstat'ed) must not hold credentials, or null when it may. */
function unsafeDir(dir: string, stat: fs.Stats, uid: number): string | null {
  if (!stat.isDirectory()) return `${dir} is not a directory`;
  if (stat.uid !== uid) return `${dir} belongs to uid ${stat.uid}, not to you (uid ${uid})`;
  if ((stat.mode & 0o022) !== 0) {
    return `${dir} is writable by other users (mode ${octal(stat.mode)}); run chmod 700 ${dir}`;
  }
  return null;
}

/**
 * Why the cache directory's parent `base` (stat'ed) lets someone else replace the cache
 * directory, or null: it must be ours or root's, and not writable by others unless sticky (like
 * /tmp, where they cannot move our directory away and put theirs in its place).
 */
function unsafeParent(base: string, stat: fs.Stats, uid: number): string | null {
  if (stat.uid !== uid && stat.uid !== 0)
    return `${base} belongs to uid ${stat.uid}, not to you (uid ${uid})`;
  if ((stat.mode & 0o022) !== 0 && (stat.mode & 0o1000) === 0) {
    return `${base} is writable by other users (mode ${octal(stat.mode)})`;
  }
  return null;
}

/**
 * An XDG base directory: `variable` when it is absolute (the spec: a relative one is invalid and
 * ignored), else `$HOME/<inHome>`; null without a usable home.
 */
export function xdgBaseDir(
  env: Env,
  variable: "XDG_CACHE_HOME" | "XDG_CONFIG_HOME",
  inHome: ".cache" | ".config",
): string | null {
  const xdg = env[variable];
  if (xdg && path.isAbsolute(xdg)) return xdg;
  return env.HOME && path.isAbsolute(env.HOME) ? path.join(env.HOME, inHome) : null;
}

/** The private cache directory, created if missing; null (with at most one warning) if none. */
export function privateCacheDir(env: Env, warn: Warn = () => undefined): string | null {
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  const base = xdgBaseDir(env, "XDG_CACHE_HOME", ".cache");
  if (!base) return null;
  const dir = path.join(base, "deputy");
  const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? String(error);
  let problem: string | null;
  try {
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
  } catch {
    return null; // A read-only or missing home only costs an exchange per command.
  }
  try {
    // The parent first: nothing is created in a place others could swap it out of.
    problem = unsafeParent(base, fs.statSync(base), uid);
    if (!problem) {
      try {
        fs.mkdirSync(dir, { mode: 0o700 });
      } catch (error) {
        if (code(error) !== "EEXIST") return null;
      }
      // lstat: a symbolic link in the cache directory's place could point anywhere.
      problem = unsafeDir(dir, fs.lstatSync(dir), uid);
    }
  } catch (error) {
    problem = `${dir} cannot be checked (${code(error)})`;
  }
  if (!problem) return dir;
  warn(`deputy: warning: not caching the access token: ${problem}.`);
  return null;
}

function readCached(file: string): { token: string; expiresAt: string } | null {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) return null;
    const saved = JSON.parse(fs.readFileSync(fd, "utf8")) as { token?: unknown; expiresAt?: unknown };
    if (typeof saved.token !== "string" || typeof saved.expiresAt !== "string") return null;
    return { token: saved.token, expiresAt: saved.expiresAt };
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `content` to `file` atomically: a fresh 0600 temporary file in the same directory,
 * renamed, so a reader never sees half a file. False when it could not be written.
 */
export function writePrivately(file: string, content: string): boolean {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    // "wx": O_CREAT | O_EXCL, never an existing file or a link planted under that name.
    fs.writeFileSync(temporary, content, { mode: 0o600, flag: "wx" });
    fs.renameSync(temporary, file);
    return true;
  } catch {
    fs.rmSync(temporary, { force: true });
    return false;
  }
}

export async function exchangedToken(
  host: string,
  env: Env,
  options: { serviceAccount?: string; fresh?: boolean; warn?: Warn } = {},
): Promise<{ token: string; expiresAt: string }> {
  const file = env.DEPUTY_IDENTITY_TOKEN_FILE!;
  let jwt: string;
  try {
    jwt = fs.readFileSync(file, "utf8").trim();
  } catch {
    throw new UsageError(`DEPUTY_IDENTITY_TOKEN_FILE names ${file}, which cannot be read.`);
  }
  if (!jwt) throw new UsageError(`${file} is empty: it should hold your workload's JWT.`);
  const key = crypto
    .createHash("sha256")
    .update(`${host}\n${options.serviceAccount ?? ""}\n${jwt}`)
    .digest("hex");
  const dir = privateCacheDir(env, options.warn);
  const cached = dir ? path.join(dir, `access-${key.slice(0, 32)}.json`) : null;
  if (cached && !options.fresh) {
    const saved = readCached(cached);
    if (saved && Date.parse(saved.expiresAt) - MARGIN_MS > Date.now()) return saved;
  }
  const answer = await exchangeToken(host, jwt, { serviceAccount: options.serviceAccount });
  const result = {
    token: answer.access_token,
    expiresAt: new Date(Date.now() + answer.expires_in * 1000).toISOString(),
  };
  // Not cached when it cannot be written: the next command exchanges again.
  if (cached) writePrivately(cached, JSON.stringify(result));
  return result;
}

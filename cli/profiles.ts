// Named profiles (`deputy login`): a host and a credential — an API key, or the path of a file
// holding the workload's JWT — kept in $XDG_CONFIG_HOME/deputy/config.json (else
// ~/.config/deputy/config.json), mode 0600 in a 0700 directory, like ~/.ssh. DEPUTY_PROFILE picks
// one (default "default"); environment variables win over the profile: DEPUTY_HOST over its host,
// and any credential in the environment (DEPUTY_API_KEY, DEPUTY_TOKEN_FILE,
// DEPUTY_IDENTITY_TOKEN_FILE) over its credential, so a pipeline's secrets are never shadowed by a
// laptop's file. A file that others can read holds a key they could have copied: it is refused.
import fs from "node:fs";
import path from "node:path";
import { UsageError, writePrivately, xdgBaseDir } from "./identity-token";

type Env = Record<string, string | undefined>;

export type Profile = { host: string; apiKey?: string; identityTokenFile?: string };
type ProfileFile = { profiles: Record<string, Profile> };

export const DEFAULT_PROFILE = "default";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Where profiles live, or null without a usable home. */
export function profilesFile(env: Env): string | null {
  const base = xdgBaseDir(env, "XDG_CONFIG_HOME", ".config");
  return base ? path.join(base, "deputy", "config.json") : null;
}

export function checkProfileName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(
      `"${name}" is not a profile name: use letters, digits, ".", "_" or "-" (at most 64).`,
    );
  }
  return name;
}

/** The saved profiles; none when the file does not exist. Refuses a file others can read. */
export function readProfiles(env: Env): ProfileFile {
  const file = profilesFile(env);
  if (!file) return { profiles: {} };
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} };
    throw new UsageError(`${file} cannot be read (${(error as NodeJS.ErrnoException).code}).`);
  }
  try {
    const stat = fs.fstatSync(fd);
    const uid = process.getuid?.();
    if (uid !== undefined && stat.uid !== uid) {
      throw new UsageError(`${file} belongs to uid ${stat.uid}, not to you: remove it, then deputy login.`);
    }
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
      throw new UsageError(
        `${file} can be read by other users (mode ${mode}), so its keys may have been copied: run chmod 600 ${file}, and rotate its keys if others share this machine.`,
      );
    }
    const parsed = JSON.parse(fs.readFileSync(fd, "utf8")) as Partial<ProfileFile>;
    const profiles: Record<string, Profile> = {};
    for (const [name, p] of Object.entries(parsed.profiles ?? {})) {
      if (p && typeof p.host === "string") profiles[name] = p;
    }
    return { profiles };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file} is not a valid profiles file: remove it, then deputy login again.`);
  } finally {
    fs.closeSync(fd);
  }
}

function writeProfiles(env: Env, content: ProfileFile): string {
  const file = profilesFile(env);
  if (!file) throw new UsageError("Set HOME (or XDG_CONFIG_HOME) so deputy has somewhere to keep profiles.");
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (!writePrivately(file, `${JSON.stringify(content, null, 2)}\n`)) {
    throw new UsageError(`Could not write ${file}.`);
  }
  return file;
}

/** Saves (or replaces) one profile; returns the file. */
export function saveProfile(env: Env, name: string, profile: Profile): string {
  const current = readProfiles(env);
  return writeProfiles(env, { profiles: { ...current.profiles, [checkProfileName(name)]: profile } });
}

/** Removes one profile; false when there was none by that name. */
export function removeProfile(env: Env, name: string): boolean {
  const current = readProfiles(env);
  if (!current.profiles[name]) return false;
  delete current.profiles[name];
  writeProfiles(env, current);
  return true;
}

const CREDENTIAL_VARIABLES = ["DEPUTY_API_KEY", "DEPUTY_TOKEN_FILE", "DEPUTY_IDENTITY_TOKEN_FILE"] as const;

/**
 * The environment with the selected profile filled in underneath it. Without DEPUTY_PROFILE a
 * missing "default" profile is no error (the environment alone may be enough); a named one that
 * does not exist is.
 */
export function withProfile(env: Env): Env {
  const wanted = env.DEPUTY_PROFILE?.trim();
  const hasCredential = CREDENTIAL_VARIABLES.some((name) => env[name]?.trim());
  // Nothing to fill: do not even read the file (a pipeline with its key set needs no home).
  if (!wanted && hasCredential && env.DEPUTY_HOST?.trim()) return env;
  const { profiles } = readProfiles(env);
  const name = wanted || DEFAULT_PROFILE;
  const profile = profiles[name];
  if (!profile) {
    if (!wanted) return env;
    const known = Object.keys(profiles);
    throw new UsageError(
      `DEPUTY_PROFILE names "${name}", which is not a saved profile${known.length ? ` (saved: ${known.join(", ")})` : ""}: deputy login --profile ${name}.`,
    );
  }
  return {
    ...env,
    DEPUTY_HOST: env.DEPUTY_HOST?.trim() || profile.host,
    ...(hasCredential
      ? {}
      : profile.apiKey
        ? { DEPUTY_API_KEY: profile.apiKey }
        : profile.identityTokenFile
          ? { DEPUTY_IDENTITY_TOKEN_FILE: profile.identityTokenFile }
          : {}),
  };
}

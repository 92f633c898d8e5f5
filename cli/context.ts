// What a command module gets from the program: writers that are safe for a terminal, the
// environment, and the API client, built on first use from the credential the environment names.
// The credential rules live here once, for every command: an API key, or (with
// DEPUTY_IDENTITY_TOKEN_FILE) an access token exchanged for the workload's JWT, and one warning
// line before the first credential leaves for a non-loopback http:// host. A profile saved by
// `deputy login` fills in what the environment leaves unset (cli/profiles.ts).
import fs from "node:fs";
import { createClient, plainHttpRemoteHost, type DeputyClient } from "./client";
import { exchangedToken, UsageError } from "./identity-token";
import { withProfile } from "./profiles";
import { safeWriter } from "./safe-text";

export type Writer = { write(text: string): unknown };
export type Io = { stdout: Writer; stderr: Writer };
export type Env = Record<string, string | undefined>;

export const DEFAULT_HOST = "http://localhost:3000";

export type CliContext = {
  /** Safe writers: every write is escaped (cli/safe-text.ts). */
  io: Io;
  env: Env;
  /** The client, authenticated with the environment's credential (resolved once). */
  api: () => Promise<DeputyClient>;
  /** Exchanges DEPUTY_IDENTITY_TOKEN_FILE's JWT for an access token (cached unless `fresh`). */
  exchange: (options?: { serviceAccount?: string; fresh?: boolean }) => ReturnType<typeof exchangedToken>;
  /** Where Deputy answers: DEPUTY_HOST, else the profile's host, else DEFAULT_HOST. */
  host: () => string;
  /** The credential the environment (or profile) names, without using it. */
  credentialSource: () => CredentialSource;
  /** Set by a command whose exit code is not the CLI's own (deputy run: the child's). */
  exitCode?: number;
};

/** Which credential a command would use, in the order they win. */
export type CredentialSource =
  | { kind: "token_file"; file: string }
  | { kind: "api_key"; key: string }
  | { kind: "identity_token"; file: string };

/** Every write of `io` made safe for a terminal (idempotent: safe text stays as it is). */
export const safeIo = (io: Io): Io => ({ stdout: safeWriter(io.stdout), stderr: safeWriter(io.stderr) });

const NO_CREDENTIAL =
  "Set DEPUTY_API_KEY to a service account's API key, or DEPUTY_IDENTITY_TOKEN_FILE to a file holding your workload's JWT, or save them in a profile with deputy login (create a key in the console: Service Accounts → Actions → Create API key).";

/** The context of one run of the program; `io` must already be safe. */
export function createContext(io: Io, env: Env): CliContext {
  let client: Promise<DeputyClient> | null = null;
  // The profile is read only when a command needs the host or a credential: --help and
  // --version touch no file.
  let effective: Env | null = null;
  const settings = () => (effective ??= withProfile(env));
  const host = () => settings().DEPUTY_HOST?.trim() || DEFAULT_HOST;
  const warn = (line: string) => io.stderr.write(`${line}\n`);
  let warnedPlainHttp = false;
  /** One line on stderr, before the first credential leaves for a non-loopback http:// host. */
  const beforeSending = (what: string) => {
    const remote = plainHttpRemoteHost(host());
    if (remote && !warnedPlainHttp) {
      warnedPlainHttp = true;
      warn(`deputy: warning: sending ${what} over plain http:// to ${remote}; use https://`);
    }
  };
  const exchange: CliContext["exchange"] = (options = {}) => {
    beforeSending("your workload's identity token and access token");
    return exchangedToken(host(), settings(), { ...options, warn });
  };
  const credentialSource = (): CredentialSource => {
    const current = settings();
    // DEPUTY_TOKEN_FILE first: `deputy run` keeps it fresher than the DEPUTY_API_KEY it also sets.
    const tokenFile = current.DEPUTY_TOKEN_FILE?.trim();
    if (tokenFile) return { kind: "token_file", file: tokenFile };
    const key = current.DEPUTY_API_KEY?.trim();
    if (key) return { kind: "api_key", key };
    const identity = current.DEPUTY_IDENTITY_TOKEN_FILE?.trim();
    if (identity) return { kind: "identity_token", file: identity };
    throw new UsageError(NO_CREDENTIAL);
  };
  /** An API key or access token, or (with DEPUTY_IDENTITY_TOKEN_FILE) one exchanged for the JWT. */
  const credential = async (): Promise<string> => {
    const source = credentialSource();
    if (source.kind === "identity_token") return (await exchange()).token;
    if (source.kind === "token_file") {
      let token: string;
      try {
        token = fs.readFileSync(source.file, "utf8").trim();
      } catch {
        throw new UsageError(`DEPUTY_TOKEN_FILE names ${source.file}, which cannot be read.`);
      }
      if (!token) throw new UsageError(`${source.file} is empty: it should hold an access token.`);
      beforeSending("your access token");
      return token;
    }
    beforeSending("your API key");
    return source.key;
  };
  const api = (): Promise<DeputyClient> => {
    client ??= credential().then((token) => createClient({ host: host(), token, userAgent: "deputy-cli" }));
    return client;
  };
  return { io, env, api, exchange, host, credentialSource };
}

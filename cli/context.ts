// What a command module gets from the program: writers that are safe for a terminal, the
// environment, and the API client, built on first use from the credential the environment names.
// The credential rules live here once, for every command: an API key, or (with
// DEPUTY_IDENTITY_TOKEN_FILE) an access token exchanged for the workload's JWT, and one warning
// line before the first credential leaves for a non-loopback http:// host.
import { createClient, plainHttpRemoteHost, type DeputyClient } from "./client";
import { exchangedToken, UsageError } from "./identity-token";
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
};

/** Every write of `io` made safe for a terminal (idempotent: safe text stays as it is). */
export const safeIo = (io: Io): Io => ({ stdout: safeWriter(io.stdout), stderr: safeWriter(io.stderr) });

/** The context of one run of the program; `io` must already be safe. */
export function createContext(io: Io, env: Env): CliContext {
  let client: Promise<DeputyClient> | null = null;
  const host = () => env.DEPUTY_HOST?.trim() || DEFAULT_HOST;
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
    return exchangedToken(host(), env, { ...options, warn });
  };
  /** An API key, or (with DEPUTY_IDENTITY_TOKEN_FILE) an access token exchanged for the JWT. */
  const credential = async (): Promise<string> => {
    const key = env.DEPUTY_API_KEY?.trim();
    if (key) {
      beforeSending("your API key");
      return key;
    }
    if (env.DEPUTY_IDENTITY_TOKEN_FILE) return (await exchange()).token;
    throw new UsageError(
      "Set DEPUTY_API_KEY to a service account's API key, or DEPUTY_IDENTITY_TOKEN_FILE to a file holding your workload's JWT (create a key in the console: Service Accounts → Actions → Create API key).",
    );
  };
  const api = (): Promise<DeputyClient> => {
    client ??= credential().then((token) => createClient({ host: host(), token, userAgent: "deputy-cli" }));
    return client;
  };
  return { io, env, api, exchange };
}

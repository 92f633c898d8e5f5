// DEPUTY_IDENTITY_TOKEN_FILE: a workload's JWT (a GitHub Actions OIDC token, a Kubernetes
// projected service-account token) exchanged for a Deputy access token before any command, and
// cached until shortly before it expires — in a private file (0600, in a 0700 directory) keyed
// by a hash of the host and the JWT, so a new JWT always exchanges again.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { exchangeToken } from "./client";

/** A usage problem the user fixes by changing the command or the environment (exit 2). */
export class UsageError extends Error {}

const MARGIN_MS = 30_000;

function cacheDir(env: Record<string, string | undefined>): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir() || os.tmpdir(), ".cache");
  return path.join(base, "deputy");
}

export async function exchangedToken(
  host: string,
  env: Record<string, string | undefined>,
  options: { serviceAccount?: string; fresh?: boolean } = {},
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
  const cached = path.join(cacheDir(env), `access-${key.slice(0, 32)}.json`);
  if (!options.fresh) {
    try {
      const saved = JSON.parse(fs.readFileSync(cached, "utf8")) as { token: string; expiresAt: string };
      if (Date.parse(saved.expiresAt) - MARGIN_MS > Date.now()) return saved;
    } catch {
      // No usable cache: exchange.
    }
  }
  const answer = await exchangeToken(host, jwt, { serviceAccount: options.serviceAccount });
  const result = {
    token: answer.access_token,
    expiresAt: new Date(Date.now() + answer.expires_in * 1000).toISOString(),
  };
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true, mode: 0o700 });
    fs.writeFileSync(cached, JSON.stringify(result), { mode: 0o600 });
  } catch {
    // A read-only home only costs an exchange per command.
  }
  return result;
}

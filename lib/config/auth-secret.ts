import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const SECRET_FILE = path.join("data", "auth-secret");

/**
 * The session signing secret: AUTH_SECRET when set, otherwise one generated on first use and kept
 * in data/auth-secret (mode 0600), so the default path needs no configuration and sessions
 * survive restarts.
 */
export function resolveAuthSecret(fromEnv: string | undefined, dataDir = process.cwd()): string {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, SECRET_FILE);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = crypto.randomBytes(32).toString("base64url");
  try {
    // "wx": if another process won the race, keep its secret rather than overwrite it.
    fs.writeFileSync(file, `${secret}\n`, { flag: "wx", mode: 0o600 });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return fs.readFileSync(file, "utf8").trim();
  }
}

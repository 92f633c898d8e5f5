// Secrets Deputy must be able to use again (a webhook's signing secret), sealed at rest with
// AES-256-GCM under a key derived from AUTH_SECRET (HKDF-SHA256, one key per purpose). A database
// dump alone does not reveal them. Rotating AUTH_SECRET makes sealed secrets unreadable: see the
// README (re-create the webhook endpoints, or keep the old secret until they are).
import crypto from "node:crypto";
import { resolveAuthSecret } from "@/lib/config/auth-secret";
import { config } from "@/lib/config/env";

const keys = new Map<string, Buffer>();

function keyFor(purpose: string): Buffer {
  let key = keys.get(purpose);
  if (!key) {
    const secret = resolveAuthSecret(config().authSecret);
    key = Buffer.from(crypto.hkdfSync("sha256", secret, "deputy-sealed", purpose, 32));
    keys.set(purpose, key);
  }
  return key;
}

/** "v1.<iv>.<ciphertext+tag>" in base64url. */
export function seal(purpose: string, plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", keyFor(purpose), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString("base64url")}.${body.toString("base64url")}`;
}

/** The plaintext, or throws when the value was sealed under another key (AUTH_SECRET changed). */
export function unseal(purpose: string, sealed: string): string {
  const [version, ivText, bodyText] = sealed.split(".");
  if (version !== "v1" || !ivText || !bodyText) throw new Error("Not a sealed value.");
  const body = Buffer.from(bodyText, "base64url");
  const decipher = crypto.createDecipheriv("aes-256-gcm", keyFor(purpose), Buffer.from(ivText, "base64url"));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
    "utf8",
  );
}

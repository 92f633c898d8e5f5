import crypto from "node:crypto";
import fs from "node:fs";
import { z } from "zod";
import { normaliseCidr } from "@/lib/security/cidr";
import { DEFAULT_DATABASE_URL, isPostgresUrl } from "./database-url";

/** Deputy's configuration (SPEC §7), validated once at start-up with a message per bad value. */
const ZEnv = z.object({
  PORT: z.coerce
    .number({ message: "PORT must be a number, e.g. 3000" })
    .int("PORT must be a whole number, e.g. 3000")
    .min(1, "PORT must be between 1 and 65535")
    .max(65535, "PORT must be between 1 and 65535")
    .default(3000),
  DATABASE_URL: z
    .string()
    .trim()
    .default(DEFAULT_DATABASE_URL)
    .refine((v) => v.startsWith("file:") || isPostgresUrl(v), {
      message:
        "DATABASE_URL must be a SQLite file URL such as file:./data/deputy.db, or a PostgreSQL URL such as postgresql://user:password@host:5432/deputy",
    }),
  DEPUTY_DEMO: z
    .enum(["", "0", "1"], { message: "DEPUTY_DEMO must be 1 (seed the demo data) or unset" })
    .default(""),
  AUTH_SECRET: z
    .string()
    .min(32, "AUTH_SECRET must be at least 32 characters; unset it to have Deputy generate one")
    .optional(),
  DEPUTY_SA_DOMAIN: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/,
      "DEPUTY_SA_DOMAIN must be a domain name such as deputy.local",
    )
    .default("deputy.local"),
  DEPUTY_AUTH_FAIL_LIMIT: z.coerce
    .number({ message: "DEPUTY_AUTH_FAIL_LIMIT must be a number, e.g. 30" })
    .int("DEPUTY_AUTH_FAIL_LIMIT must be a whole number, e.g. 30")
    .min(1, "DEPUTY_AUTH_FAIL_LIMIT must be at least 1")
    .max(100000, "DEPUTY_AUTH_FAIL_LIMIT must be at most 100000")
    .default(30),
  DEPUTY_PUBLIC_URL: z
    .url({
      protocol: /^https?$/,
      message: "DEPUTY_PUBLIC_URL must be an absolute http(s) URL such as https://deputy.example.com",
    })
    .optional(),
  DEPUTY_ACCESS_TOKEN_TTL: z.coerce
    .number({ message: "DEPUTY_ACCESS_TOKEN_TTL must be a number of seconds, e.g. 3600" })
    .int("DEPUTY_ACCESS_TOKEN_TTL must be a whole number of seconds, e.g. 3600")
    .min(60, "DEPUTY_ACCESS_TOKEN_TTL must be between 60 and 43200 seconds")
    .max(43200, "DEPUTY_ACCESS_TOKEN_TTL must be between 60 and 43200 seconds")
    .default(3600),
  DEPUTY_ALLOW_PRIVATE_ISSUERS: z
    .enum(["", "0", "1"], {
      message: "DEPUTY_ALLOW_PRIVATE_ISSUERS must be 1 (allow http:// and private addresses) or unset",
    })
    .default(""),
  DEPUTY_JOBS_INTERVAL: z.coerce
    .number({ message: "DEPUTY_JOBS_INTERVAL must be a number of seconds, e.g. 60" })
    .int("DEPUTY_JOBS_INTERVAL must be a whole number of seconds, e.g. 60")
    .min(1, "DEPUTY_JOBS_INTERVAL must be between 1 and 3600 seconds")
    .max(3600, "DEPUTY_JOBS_INTERVAL must be between 1 and 3600 seconds")
    .default(60),
  DEPUTY_METRICS_TOKEN: z
    .string()
    .trim()
    .refine((v) => v === "" || v.length >= 16, {
      message: "DEPUTY_METRICS_TOKEN must be at least 16 characters (Prometheus sends it as a bearer token)",
    })
    .optional(),
  DEPUTY_LOG_LEVEL: z
    .enum(["debug", "info", "warn", "error", "silent"], {
      message: "DEPUTY_LOG_LEVEL must be debug, info, warn, error or silent",
    })
    .default("info"),
  DEPUTY_SMTP_URL: z
    .string()
    .trim()
    .refine((v) => v === "" || /^smtps?:\/\/[^\s]+$/.test(v), {
      message: "DEPUTY_SMTP_URL must be smtp://[user:password@]host:port or smtps://…",
    })
    .optional(),
  DEPUTY_MAIL_FROM: z
    .string()
    .trim()
    .refine((v) => v === "" || /^[^\s@]+@[^\s@]+$/.test(v), {
      message: "DEPUTY_MAIL_FROM must be an email address such as deputy@example.com",
    })
    .optional(),
  DEPUTY_ALLOW_PRIVATE_WEBHOOKS: z
    .enum(["", "0", "1"], {
      message: "DEPUTY_ALLOW_PRIVATE_WEBHOOKS must be 1 (allow http:// and private addresses) or unset",
    })
    .default(""),
  DEPUTY_TRUSTED_PROXIES: z
    .string()
    .trim()
    .refine((v) => v.split(",").every((range) => normaliseCidr(range) !== null), {
      message:
        "DEPUTY_TRUSTED_PROXIES must be comma-separated CIDR ranges of your load balancers, such as 10.0.0.0/8,2001:db8::/32",
    })
    .optional(),
  // Checked by readSecretScanningKeys below: the file must hold valid keys.
  DEPUTY_SECRET_SCANNING_KEYS: z.string().trim().optional(),
});

export type DeputyConfig = {
  port: number;
  databaseUrl: string;
  demo: boolean;
  authSecret: string | undefined;
  saDomain: string;
  authFailLimit: number;
  publicUrl: string;
  /** Lifetime of access tokens from the token exchange, in seconds. */
  accessTokenTtl: number;
  /** Identity providers may use http:// and loopback or private addresses. */
  allowPrivateIssuers: boolean;
  /** Webhook endpoints may use http:// and loopback or private addresses (rule 28). */
  allowPrivateWebhooks: boolean;
  /** Seconds between runs of the background jobs (rule 32). */
  jobsInterval: number;
  /** Where notice e-mails go out (rule 30); undefined: no e-mail. */
  smtpUrl: string | undefined;
  /** Bearer token for /metrics; unset: loopback callers only. */
  metricsToken: string | undefined;
  /** The least severe log line written (rule 37's JSON lines); "silent" writes none. */
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** The sender of notice e-mails. */
  mailFrom: string;
  /**
   * Public keys (PEM, ECDSA P-256) whose signatures on secret-scanning reports are trusted, read
   * from the file DEPUTY_SECRET_SCANNING_KEYS names; undefined when it is unset.
   */
  secretScanningKeys: { file: string; publicKeys: string[] } | undefined;
  /** Load balancers whose X-Forwarded-For is believed (rule 26), normalised; empty when unset. */
  trustedProxies: string[];
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws ConfigError listing every bad value. Empty strings count as unset. */
export function parseConfig(env: Record<string, string | undefined> = process.env): DeputyConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ZEnv.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const parsed = ZEnv.safeParse(raw);
  const scanning = raw.DEPUTY_SECRET_SCANNING_KEYS?.trim()
    ? readSecretScanningKeys(raw.DEPUTY_SECRET_SCANNING_KEYS.trim())
    : undefined;
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => issue.message)),
    ...(scanning && "problem" in scanning ? [scanning.problem] : []),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const c = parsed.data;
  return {
    port: c.PORT,
    databaseUrl: c.DATABASE_URL,
    demo: c.DEPUTY_DEMO === "1",
    authSecret: c.AUTH_SECRET,
    saDomain: c.DEPUTY_SA_DOMAIN,
    authFailLimit: c.DEPUTY_AUTH_FAIL_LIMIT,
    publicUrl: (c.DEPUTY_PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ""),
    accessTokenTtl: c.DEPUTY_ACCESS_TOKEN_TTL,
    allowPrivateIssuers: c.DEPUTY_ALLOW_PRIVATE_ISSUERS === "1",
    allowPrivateWebhooks: c.DEPUTY_ALLOW_PRIVATE_WEBHOOKS === "1",
    jobsInterval: c.DEPUTY_JOBS_INTERVAL,
    smtpUrl: c.DEPUTY_SMTP_URL || undefined,
    metricsToken: c.DEPUTY_METRICS_TOKEN || undefined,
    logLevel: c.DEPUTY_LOG_LEVEL,
    mailFrom:
      c.DEPUTY_MAIL_FROM || `deputy@${new URL(c.DEPUTY_PUBLIC_URL ?? `http://localhost:${c.PORT}`).hostname}`,
    secretScanningKeys: scanning && "publicKeys" in scanning ? scanning : undefined,
    trustedProxies: c.DEPUTY_TRUSTED_PROXIES
      ? c.DEPUTY_TRUSTED_PROXIES.split(",").map((range) => normaliseCidr(range)!)
      : [],
  };
}

/**
 * DATABASE_URL alone, by the same rule as parseConfig (unset or empty means the default), for
 * lib/db, which reads it when it first needs it rather than when the whole configuration is read.
 */
export function parseDatabaseUrl(value: string | undefined): string {
  const parsed = ZEnv.shape.DATABASE_URL.safeParse(value === "" ? undefined : value);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  return parsed.data;
}

/** A few PEM keys take a few hundred bytes: anything this large is the wrong file. */
const MAX_SCANNING_KEYS_FILE_BYTES = 1024 * 1024;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

// The keys of each file as last read successfully, shared by every copy of this module in the
// process (the console, bundled by Next, and the API server, loaded by Node, each parse the
// configuration): a file that disappears or breaks after start-up leaves the keys read then.
const globalForKeys = globalThis as unknown as { deputyScanningKeys?: Map<string, string[]> };

/**
 * Reads the secret-scanning keys file: at least one PEM public key, every one ECDSA P-256. On a
 * problem, one line naming the variable, the file and what is wrong — unless this process read
 * the same file successfully before, in which case those keys stand.
 */
export function readSecretScanningKeys(
  file: string,
): { file: string; publicKeys: string[] } | { problem: string } {
  const known = (globalForKeys.deputyScanningKeys ??= new Map<string, string[]>());
  const result = loadScanningKeys(file);
  if ("publicKeys" in result) {
    known.set(file, result.publicKeys);
    return { file, publicKeys: result.publicKeys };
  }
  const previous = known.get(file);
  return previous
    ? { file, publicKeys: previous }
    : { problem: `DEPUTY_SECRET_SCANNING_KEYS: ${file} ${result.problem}` };
}

function loadScanningKeys(file: string): { publicKeys: string[] } | { problem: string } {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.isDirectory()) return { problem: "is a directory, not a file of PEM public keys" };
    if (stat.size > MAX_SCANNING_KEYS_FILE_BYTES) {
      return { problem: "is larger than 1 MB, not a file of a few PEM public keys" };
    }
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { problem: "does not exist" };
    if (code === "EACCES" || code === "EPERM") return { problem: "cannot be read (permission denied)" };
    return { problem: `cannot be read (${code ?? (error as Error).message})` };
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0) {
    return { problem: "holds no PEM public key (-----BEGIN PUBLIC KEY----- … -----END PUBLIC KEY-----)" };
  }
  const publicKeys: string[] = [];
  for (const [index, [pem, label]] of blocks.entries()) {
    const which = blocks.length === 1 ? "" : ` (block ${index + 1})`;
    if (label !== "PUBLIC KEY")
      return { problem: `holds a PEM block of type ${label}${which}, not PUBLIC KEY` };
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey(pem);
    } catch {
      return { problem: `holds a PUBLIC KEY that does not parse${which}` };
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      return { problem: `holds ${keyKind(key)}${which}; only ECDSA P-256 keys sign secret-scanning reports` };
    }
    publicKeys.push(key.export({ type: "spki", format: "pem" }).toString());
  }
  return { publicKeys };
}

/** "an RSA key", "an ECDSA secp384r1 key", "an Ed25519 key". */
function keyKind(key: crypto.KeyObject): string {
  const type = key.asymmetricKeyType;
  const name =
    type === "ec"
      ? `ECDSA ${key.asymmetricKeyDetails?.namedCurve ?? "?"}`
      : type === "rsa" || type === "rsa-pss" || type === "dsa"
        ? type.toUpperCase()
        : type === "ed25519" || type === "ed448"
          ? `Ed${type.slice(2)}`
          : (type ?? "unknown");
  return `${/^[AEIOUR]/i.test(name) ? "an" : "a"} ${name} key`;
}

let cached: DeputyConfig | undefined;

/** The process's configuration, parsed on first use. */
export function config(): DeputyConfig {
  cached ??= parseConfig();
  return cached;
}

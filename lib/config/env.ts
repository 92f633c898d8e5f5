import { z } from "zod";
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
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
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
  };
}

let cached: DeputyConfig | undefined;

/** The process's configuration, parsed on first use. */
export function config(): DeputyConfig {
  cached ??= parseConfig();
  return cached;
}

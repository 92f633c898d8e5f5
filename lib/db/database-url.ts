// The one place lib/ reads DATABASE_URL: validated by the configuration's rule, read when first
// needed (tests set it per file before they import lib/db), and read again if it changes.
import { isPostgresUrl } from "@/lib/config/database-url";
import { parseDatabaseUrl } from "@/lib/config/env";

let last: { raw: string | undefined; url: string } | undefined;

/** The database URL of this process (the default SQLite file when unset). */
export function databaseUrl(): string {
  const raw = process.env.DATABASE_URL;
  if (!last || last.raw !== raw) last = { raw, url: parseDatabaseUrl(raw) };
  return last.url;
}

/** Whether this process's database is PostgreSQL (else the SQLite file). */
export function usesPostgres(): boolean {
  return isPostgresUrl(databaseUrl());
}

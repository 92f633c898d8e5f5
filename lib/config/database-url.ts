/** The embedded default: a SQLite file under data/, relative to the project directory. */
export const DEFAULT_DATABASE_URL = "file:./data/deputy.db";

/** Normalises DATABASE_URL for the SQLite adapter, which expects `file:<path>`. */
export function sqliteFileUrl(databaseUrl: string | undefined): string {
  const url = databaseUrl && databaseUrl.trim() !== "" ? databaseUrl.trim() : DEFAULT_DATABASE_URL;
  return url.startsWith("file:") ? url : `file:${url}`;
}

/** The filesystem path of a `file:` URL (query parameters dropped). */
export function sqliteFilePath(databaseUrl: string | undefined): string {
  return sqliteFileUrl(databaseUrl).slice("file:".length).split("?")[0] ?? "";
}

/** True for `postgresql://…` and `postgres://…` URLs. */
export function isPostgresUrl(databaseUrl: string | undefined): boolean {
  return /^postgres(ql)?:\/\//i.test((databaseUrl ?? "").trim());
}

/** A URL safe to print: the password replaced. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = "***";
    return url.toString();
  } catch {
    return databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  }
}

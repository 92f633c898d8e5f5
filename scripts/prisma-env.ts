import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const PLACEHOLDER = path.resolve(import.meta.dirname, "..", "prisma", "engines", "placeholder");

/**
 * Environment for every Prisma CLI call. Pointing the engine variables at an existing file stops
 * the CLI from downloading native engines (unreachable offline); the WebAssembly engines and the
 * driver adapter in prisma.config.ts do the work instead.
 */
export function prismaCliEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PRISMA_SCHEMA_ENGINE_BINARY: PLACEHOLDER,
    PRISMA_QUERY_ENGINE_LIBRARY: PLACEHOLDER,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
    PRISMA_DISABLE_WARNINGS: "1",
  };
}

/** Runs `prisma migrate deploy` on a database with the offline engine settings. */
export function runMigrateDeploy(databaseUrl: string, cwd?: string): SpawnSyncReturns<string> {
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  return spawnSync(process.execPath, [cli, "migrate", "deploy"], {
    cwd,
    env: prismaCliEnv({ ...process.env, DATABASE_URL: databaseUrl }),
    encoding: "utf8",
  });
}

/** As runMigrateDeploy, for test set-up: a failure throws with Prisma's output. */
export function migrateDeployOrThrow(databaseUrl: string): void {
  const result = runMigrateDeploy(databaseUrl);
  if (result.status !== 0) throw new Error(`migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
}

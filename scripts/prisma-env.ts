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

// Runs the Prisma CLI with the offline engine settings: `npm run prisma -- <args>`.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { prismaCliEnv } from "./prisma-env";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: prismaCliEnv(),
});
process.exit(result.status ?? 1);

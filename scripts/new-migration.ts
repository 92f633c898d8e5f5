// Writes the next migration: `npm run db:new-migration -- <name>`.
//
// `prisma migrate dev` needs a shadow database that the WebAssembly engine cannot drive, so the
// next migration is the diff between the schema as last committed (git HEAD) and the working
// copy, written where `prisma migrate deploy` finds it.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { prismaCliEnv } from "./prisma-env";

const root = path.resolve(import.meta.dirname, "..");
const schemaPath = "prisma/schema.prisma";
const name = (process.argv[2] ?? "").trim();
if (!/^[a-z0-9_]{1,60}$/.test(name)) {
  console.error("Usage: npm run db:new-migration -- <name>   (lowercase letters, digits and _)");
  process.exit(2);
}

const migrationsDir = path.join(root, "prisma", "migrations");
const hasMigrations =
  fs.existsSync(migrationsDir) && fs.readdirSync(migrationsDir).some((d) => /^\d{14}_/.test(d));

let fromArgs: string[] = ["--from-empty"];
if (hasMigrations) {
  let previous: string;
  try {
    previous = execFileSync("git", ["show", `HEAD:${schemaPath}`], { cwd: root, encoding: "utf8" });
  } catch {
    console.error(`Cannot read ${schemaPath} at git HEAD: commit the schema of the last migration first.`);
    process.exit(1);
  }
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "deputy-schema-")), "schema.prisma");
  fs.writeFileSync(tmp, previous);
  fromArgs = ["--from-schema-datamodel", tmp];
}

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const diff = spawnSync(
  process.execPath,
  [cli, "migrate", "diff", ...fromArgs, "--to-schema-datamodel", schemaPath, "--script"],
  { cwd: root, env: prismaCliEnv(), encoding: "utf8" },
);
if (diff.status !== 0) {
  process.stderr.write(diff.stderr);
  process.exit(diff.status ?? 1);
}
if (/^-- This is an empty migration\.\s*$/m.test(diff.stdout) || diff.stdout.trim() === "") {
  console.log("The schema has not changed since HEAD: no migration written.");
  process.exit(0);
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = path.join(migrationsDir, `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "migration.sql"), diff.stdout);
const lock = path.join(migrationsDir, "migration_lock.toml");
if (!fs.existsSync(lock)) fs.writeFileSync(lock, 'provider = "sqlite"\n');
console.log(`Wrote ${path.relative(root, dir)}/migration.sql — review it, then commit it with the schema.`);

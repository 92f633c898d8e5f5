import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { isPostgresUrl, sqliteFileUrl } from "./lib/config/database-url";

// Prisma runs on its WebAssembly engines through a driver adapter: no engine download, ever.
// DATABASE_URL picks the engine: its schema, its migrations folder and its adapter. The CLI needs
// @prisma/adapter-pg 7 for PostgreSQL (6.19's cannot read the migrations table: "Column type
// 'name' could not be deserialized"), installed beside the runtime's 6.19 as an npm alias.
const url = process.env.DATABASE_URL;
const postgres = isPostgresUrl(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: postgres
    ? path.join("prisma", "postgresql", "schema.prisma")
    : path.join("prisma", "schema.prisma"),
  migrations: {
    path: postgres ? path.join("prisma", "postgresql", "migrations") : path.join("prisma", "migrations"),
  },
  async adapter() {
    if (postgres) {
      const { PrismaPg } = await import("prisma-adapter-pg-cli");
      return new PrismaPg({ connectionString: url });
    }
    return new PrismaBetterSQLite3({ url: sqliteFileUrl(url) });
  },
});

import { expect, test } from "./fixtures";
import { e2eDatabaseUrl } from "./support/database";

// The full access matrix (tests/support/api-matrix.ts) against the running production server.
// The world is seeded straight into the demo server's database (either engine).
test("[API][MATRIX] every scope × role × team × visibility × operation answers as written", async ({
  baseURL,
}) => {
  process.env.DATABASE_URL = e2eDatabaseUrl("demo");
  const { runMatrix, seedMatrixWorld } = await import("../tests/support/api-matrix");
  const world = await seedMatrixWorld();
  expect(await runMatrix(baseURL!, world)).toEqual([]);
});

import { expect, test } from "./fixtures";

// The full access matrix (tests/support/api-matrix.ts) against the running production server.
// The world is seeded straight into the demo server's database file.
test("[API][MATRIX] every scope × role × team × visibility × operation answers as written", async ({
  baseURL,
}) => {
  process.env.DATABASE_URL = `file:./data/e2e-${process.env.DEPUTY_E2E_RUN}-demo.db`;
  const { runMatrix, seedMatrixWorld } = await import("../tests/support/api-matrix");
  const world = await seedMatrixWorld();
  expect(await runMatrix(baseURL!, world)).toEqual([]);
});

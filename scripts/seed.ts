// `npm run db:seed -- --demo`: seeds SPEC §6's demo data (demo credentials, never for production).
import { createPrismaClient } from "../lib/db";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "../lib/seed/demo";
import { loadConfigOrExit, migrate } from "./lib";

if (!process.argv.includes("--demo")) {
  console.error("Usage: npm run db:seed -- --demo   (seeds the demo organization acme)");
  process.exit(2);
}
const config = loadConfigOrExit();
await migrate(config);
const db = createPrismaClient(config.databaseUrl);
const seeded = await seedDemo(db);
await db.$disconnect();
if (!seeded) {
  console.log('Demo data is already there (organization "acme").');
} else {
  console.log("Seeded the demo organization acme. DEMO CREDENTIALS — never use them in production:");
  for (const u of DEMO_USERS) console.log(`  ${u.email} / ${DEMO_PASSWORD}`);
}

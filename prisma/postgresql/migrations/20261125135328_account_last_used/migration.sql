-- AlterTable
ALTER TABLE "ServiceAccount" ADD COLUMN     "lastUsedAt" TIMESTAMP(3);


-- Hand-written backfill: an account's last use is its keys' latest.
UPDATE "ServiceAccount" SET "lastUsedAt" = (
  SELECT MAX(k."lastUsedAt") FROM "ApiKey" k WHERE k."serviceAccountId" = "ServiceAccount"."id"
);

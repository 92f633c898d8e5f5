-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "allowedIps" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "permission" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "projects" TEXT;


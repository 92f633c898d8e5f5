-- AlterTable
ALTER TABLE "FederatedIdentity" ADD COLUMN "allowedIps" TEXT;

-- AlterTable
ALTER TABLE "AccessToken" ADD COLUMN "permission" TEXT;
ALTER TABLE "AccessToken" ADD COLUMN "projects" TEXT;


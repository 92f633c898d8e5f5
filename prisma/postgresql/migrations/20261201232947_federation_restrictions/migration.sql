-- AlterTable
ALTER TABLE "FederatedIdentity" ADD COLUMN     "allowedIps" TEXT;

-- AlterTable
ALTER TABLE "AccessToken" ADD COLUMN     "permission" TEXT,
ADD COLUMN     "projects" TEXT;


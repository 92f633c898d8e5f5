-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "allowedIps" TEXT,
ADD COLUMN     "permission" TEXT,
ADD COLUMN     "projects" TEXT;


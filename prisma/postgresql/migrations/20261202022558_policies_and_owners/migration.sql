-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "apiKeyPolicy" TEXT NOT NULL DEFAULT 'allowed',
ADD COLUMN     "requireAllowedIpsForOrgScope" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "requireOwner" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "ServiceAccount" ADD COLUMN     "contact" TEXT,
ADD COLUMN     "ownerUserId" TEXT;

-- AddForeignKey
ALTER TABLE "ServiceAccount" ADD CONSTRAINT "ServiceAccount_ownerUserId_fkey" FOREIGN KEY ("ownerUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "workloadClaims" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "IdentityProvider" (
    "id" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "jwksUri" TEXT,
    "resolvedJwksUri" TEXT NOT NULL,
    "jwks" JSONB NOT NULL DEFAULT '{}',
    "keyCount" INTEGER NOT NULL DEFAULT 0,
    "refreshedAt" TIMESTAMP(3) NOT NULL,
    "refreshFailedAt" TIMESTAMP(3),
    "kidRefreshAt" TIMESTAMP(3),
    "createdByUserId" TEXT,
    "createdByServiceAccountId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdentityProvider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessToken" (
    "id" TEXT NOT NULL,
    "tokenId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "serviceAccountId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "claims" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IdentityProvider_issuer_idx" ON "IdentityProvider"("issuer");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityProvider_orgId_issuer_key" ON "IdentityProvider"("orgId", "issuer");

-- CreateIndex
CREATE UNIQUE INDEX "AccessToken_tokenId_key" ON "AccessToken"("tokenId");

-- CreateIndex
CREATE INDEX "AccessToken_serviceAccountId_idx" ON "AccessToken"("serviceAccountId");

-- CreateIndex
CREATE INDEX "AccessToken_expiresAt_idx" ON "AccessToken"("expiresAt");

-- AddForeignKey
ALTER TABLE "IdentityProvider" ADD CONSTRAINT "IdentityProvider_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AccessToken" ADD CONSTRAINT "AccessToken_serviceAccountId_fkey" FOREIGN KEY ("serviceAccountId") REFERENCES "ServiceAccount"("id") ON DELETE CASCADE ON UPDATE CASCADE;


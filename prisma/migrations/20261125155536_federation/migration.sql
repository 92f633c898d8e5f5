-- CreateTable
CREATE TABLE "IdentityProvider" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "jwksUri" TEXT,
    "resolvedJwksUri" TEXT NOT NULL,
    "jwks" JSONB NOT NULL DEFAULT '{}',
    "keyCount" INTEGER NOT NULL DEFAULT 0,
    "refreshedAt" DATETIME NOT NULL,
    "refreshFailedAt" DATETIME,
    "kidRefreshAt" DATETIME,
    "createdByUserId" TEXT,
    "createdByServiceAccountId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "IdentityProvider_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AccessToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tokenId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "serviceAccountId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "claims" JSONB NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "AccessToken_serviceAccountId_fkey" FOREIGN KEY ("serviceAccountId") REFERENCES "ServiceAccount" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AddColumn (in place: SQLite adds a column with a constant default without copying the table)
ALTER TABLE "Run" ADD COLUMN "workloadClaims" JSONB NOT NULL DEFAULT '{}';

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


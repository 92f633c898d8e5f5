-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Organization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "seatLimit" INTEGER NOT NULL DEFAULT 10,
    "maxServiceAccounts" INTEGER,
    "maxKeysPerAccount" INTEGER,
    "maxKeyLifetimeDays" INTEGER,
    "apiKeyPolicy" TEXT NOT NULL DEFAULT 'allowed',
    "requireOwner" BOOLEAN NOT NULL DEFAULT false,
    "requireAllowedIpsForOrgScope" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Organization" ("createdAt", "id", "maxKeyLifetimeDays", "maxKeysPerAccount", "maxServiceAccounts", "name", "seatLimit", "slug", "updatedAt") SELECT "createdAt", "id", "maxKeyLifetimeDays", "maxKeysPerAccount", "maxServiceAccounts", "name", "seatLimit", "slug", "updatedAt" FROM "Organization";
DROP TABLE "Organization";
ALTER TABLE "new_Organization" RENAME TO "Organization";
CREATE UNIQUE INDEX "Organization_slug_key" ON "Organization"("slug");
CREATE TABLE "new_ServiceAccount" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "authMethod" TEXT NOT NULL DEFAULT 'API_KEY',
    "role" TEXT NOT NULL DEFAULT 'MEMBER',
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "createdByUserId" TEXT,
    "createdByServiceAccountId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME,
    "lastUsedAt" DATETIME,
    "ownerUserId" TEXT,
    "contact" TEXT,
    CONSTRAINT "ServiceAccount_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ServiceAccount_ownerUserId_fkey" FOREIGN KEY ("ownerUserId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "ServiceAccount_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_ServiceAccount" ("authMethod", "createdAt", "createdByServiceAccountId", "createdByUserId", "deletedAt", "description", "id", "lastUsedAt", "name", "orgId", "role", "scope", "status", "teamId", "updatedAt") SELECT "authMethod", "createdAt", "createdByServiceAccountId", "createdByUserId", "deletedAt", "description", "id", "lastUsedAt", "name", "orgId", "role", "scope", "status", "teamId", "updatedAt" FROM "ServiceAccount";
DROP TABLE "ServiceAccount";
ALTER TABLE "new_ServiceAccount" RENAME TO "ServiceAccount";
CREATE INDEX "ServiceAccount_orgId_scope_status_idx" ON "ServiceAccount"("orgId", "scope", "status");
CREATE INDEX "ServiceAccount_teamId_idx" ON "ServiceAccount"("teamId");
-- Hand-written (lost by the table's redefinition): a service account's name is unique in its org
-- among live (not deleted) accounts.
CREATE UNIQUE INDEX "ServiceAccount_orgId_name_live_key" ON "ServiceAccount"("orgId", "name") WHERE "deletedAt" IS NULL;
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_FederatedIdentity" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "serviceAccountId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "audience" TEXT NOT NULL,
    "subjectPattern" TEXT NOT NULL,
    "claimConditions" JSONB NOT NULL DEFAULT '{}',
    "jwksUri" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "FederatedIdentity_serviceAccountId_fkey" FOREIGN KEY ("serviceAccountId") REFERENCES "ServiceAccount" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_FederatedIdentity" ("audience", "claimConditions", "createdAt", "id", "issuer", "jwksUri", "serviceAccountId", "subjectPattern", "updatedAt") SELECT "audience", "claimConditions", "createdAt", "id", "issuer", "jwksUri", "serviceAccountId", "subjectPattern", "updatedAt" FROM "FederatedIdentity";
DROP TABLE "FederatedIdentity";
ALTER TABLE "new_FederatedIdentity" RENAME TO "FederatedIdentity";
CREATE INDEX "FederatedIdentity_issuer_idx" ON "FederatedIdentity"("issuer");
CREATE INDEX "FederatedIdentity_serviceAccountId_idx" ON "FederatedIdentity"("serviceAccountId");
CREATE TABLE "new_AuditEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "orgId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorIdentity" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT,
    "targetId" TEXT,
    "targetName" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "ip" TEXT,
    "userAgent" TEXT,
    CONSTRAINT "AuditEvent_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AuditEvent" ("action", "actorId", "actorIdentity", "actorType", "createdAt", "id", "ip", "metadata", "orgId", "targetId", "targetName", "targetType", "userAgent") SELECT "action", "actorId", "actorIdentity", "actorType", "createdAt", "id", "ip", "metadata", "orgId", "targetId", "targetName", "targetType", "userAgent" FROM "AuditEvent";
DROP TABLE "AuditEvent";
ALTER TABLE "new_AuditEvent" RENAME TO "AuditEvent";
CREATE INDEX "AuditEvent_orgId_createdAt_idx" ON "AuditEvent"("orgId", "createdAt");
CREATE INDEX "AuditEvent_targetType_targetId_createdAt_idx" ON "AuditEvent"("targetType", "targetId", "createdAt");
CREATE INDEX "AuditEvent_actorId_createdAt_idx" ON "AuditEvent"("actorId", "createdAt");
CREATE TABLE "new_Run" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "summary" JSONB NOT NULL DEFAULT '{}',
    "createdByType" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdByIdentity" TEXT NOT NULL,
    "attributedToUserId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Run_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Run_attributedToUserId_fkey" FOREIGN KEY ("attributedToUserId") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Run" ("attributedToUserId", "config", "createdAt", "createdById", "createdByIdentity", "createdByType", "id", "name", "projectId", "summary") SELECT "attributedToUserId", "config", "createdAt", "createdById", "createdByIdentity", "createdByType", "id", "name", "projectId", "summary" FROM "Run";
DROP TABLE "Run";
ALTER TABLE "new_Run" RENAME TO "Run";
CREATE INDEX "Run_projectId_createdAt_idx" ON "Run"("projectId", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


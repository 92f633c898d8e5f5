-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "lastUsedIp" TEXT,
ADD COLUMN     "leakAcknowledgedAt" TIMESTAMP(3),
ADD COLUMN     "leakSource" TEXT,
ADD COLUMN     "leakedAt" TIMESTAMP(3),
ADD COLUMN     "replacedById" TEXT,
ADD COLUMN     "rotatedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ApiKeyUsageDay" (
    "apiKeyId" TEXT NOT NULL,
    "serviceAccountId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ApiKeyUsageDay_pkey" PRIMARY KEY ("apiKeyId","day")
);

-- CreateIndex
CREATE INDEX "ApiKeyUsageDay_serviceAccountId_day_idx" ON "ApiKeyUsageDay"("serviceAccountId", "day");

-- CreateIndex
CREATE INDEX "ApiKey_expiresAt_idx" ON "ApiKey"("expiresAt");

-- CreateIndex
CREATE INDEX "ApiKey_leakedAt_idx" ON "ApiKey"("leakedAt");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_actorType_createdAt_idx" ON "AuditEvent"("orgId", "actorType", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_action_createdAt_idx" ON "AuditEvent"("orgId", "action", "createdAt");


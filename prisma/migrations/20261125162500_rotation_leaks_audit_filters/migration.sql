-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "leakAcknowledgedAt" DATETIME;
ALTER TABLE "ApiKey" ADD COLUMN "leakSource" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "leakedAt" DATETIME;
ALTER TABLE "ApiKey" ADD COLUMN "replacedById" TEXT;
ALTER TABLE "ApiKey" ADD COLUMN "rotatedAt" DATETIME;

-- CreateIndex
CREATE INDEX "ApiKey_expiresAt_idx" ON "ApiKey"("expiresAt");

-- CreateIndex
CREATE INDEX "ApiKey_leakedAt_idx" ON "ApiKey"("leakedAt");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_actorType_createdAt_idx" ON "AuditEvent"("orgId", "actorType", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_action_createdAt_idx" ON "AuditEvent"("orgId", "action", "createdAt");


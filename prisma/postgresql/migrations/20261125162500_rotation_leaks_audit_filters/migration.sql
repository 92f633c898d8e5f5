-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "leakAcknowledgedAt" TIMESTAMP(3),
ADD COLUMN     "leakSource" TEXT,
ADD COLUMN     "leakedAt" TIMESTAMP(3),
ADD COLUMN     "replacedById" TEXT,
ADD COLUMN     "rotatedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "ApiKey_expiresAt_idx" ON "ApiKey"("expiresAt");

-- CreateIndex
CREATE INDEX "ApiKey_leakedAt_idx" ON "ApiKey"("leakedAt");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_actorType_createdAt_idx" ON "AuditEvent"("orgId", "actorType", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_orgId_action_createdAt_idx" ON "AuditEvent"("orgId", "action", "createdAt");


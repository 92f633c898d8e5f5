-- CreateIndex
CREATE INDEX "ServiceAccount_ownerUserId_idx" ON "ServiceAccount"("ownerUserId");


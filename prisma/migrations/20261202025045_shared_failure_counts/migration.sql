-- CreateTable
CREATE TABLE "AuthFailureCount" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "minute" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("scope", "key", "minute")
);

-- CreateIndex
CREATE INDEX "AuthFailureCount_minute_idx" ON "AuthFailureCount"("minute");


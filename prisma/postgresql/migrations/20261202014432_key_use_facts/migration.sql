-- CreateTable
CREATE TABLE "ApiKeyUseFact" (
    "apiKeyId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "ApiKeyUseFact_pkey" PRIMARY KEY ("apiKeyId","day","kind","value")
);


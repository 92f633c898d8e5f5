-- CreateTable
CREATE TABLE "NoticeSent" (
    "kind" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NoticeSent_pkey" PRIMARY KEY ("kind","subjectId")
);


-- CreateTable
CREATE TABLE "NoticeSent" (
    "kind" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "sentAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("kind", "subjectId")
);


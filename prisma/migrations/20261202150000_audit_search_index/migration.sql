-- Audit search (issue 20): a trigram full-text index (FTS5) of each event's actor identity and
-- target name, so `q` finds the few events of one account among a million without reading them
-- all (lib/audit/search.ts). Its own copy of the text and the event's id (a table redefinition
-- or VACUUM may renumber AuditEvent's implicit rowid; the id never changes), filled by triggers.
CREATE VIRTUAL TABLE "AuditEventSearch" USING fts5("eventId" UNINDEXED, "text", tokenize = 'trigram');

INSERT INTO "AuditEventSearch" ("rowid", "eventId", "text")
SELECT "rowid", "id", "actorIdentity" || ' ' || coalesce("targetName", '') FROM "AuditEvent";

CREATE TRIGGER "AuditEvent_search_insert" AFTER INSERT ON "AuditEvent" BEGIN
  INSERT INTO "AuditEventSearch" ("rowid", "eventId", "text")
  VALUES (new."rowid", new."id", new."actorIdentity" || ' ' || coalesce(new."targetName", ''));
END;

CREATE TRIGGER "AuditEvent_search_update" AFTER UPDATE OF "actorIdentity", "targetName" ON "AuditEvent" BEGIN
  DELETE FROM "AuditEventSearch" WHERE "rowid" = old."rowid";
  INSERT INTO "AuditEventSearch" ("rowid", "eventId", "text")
  VALUES (new."rowid", new."id", new."actorIdentity" || ' ' || coalesce(new."targetName", ''));
END;

CREATE TRIGGER "AuditEvent_search_delete" AFTER DELETE ON "AuditEvent" BEGIN
  DELETE FROM "AuditEventSearch" WHERE "rowid" = old."rowid";
END;

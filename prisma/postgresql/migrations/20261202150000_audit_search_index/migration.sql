-- Audit search (issue 20): trigram GIN indexes (pg_trgm, a trusted extension since PostgreSQL 13:
-- a database owner may create it) on the two columns `q` searches, so finding the few events of
-- one account among a million reads the index, not the table (lib/audit/search.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "AuditEvent_actorIdentity_trgm_idx" ON "AuditEvent" USING gin ("actorIdentity" gin_trgm_ops);

CREATE INDEX "AuditEvent_targetName_trgm_idx" ON "AuditEvent" USING gin ("targetName" gin_trgm_ops);

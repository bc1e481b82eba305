-- Issue #11 (ping: one audit row per authenticated request). audit_log_key was
-- (api_key_id, id DESC): each new row, the highest id, belongs at the *start* of its key's
-- range, so every insert descended the tree from the root and binary-searched each level
-- (_bt_compare and _bt_binsrch_insert were 7.5 % of PostgreSQL's CPU under GET /v1/ping).
-- Ascending, a new row is appended at the end of its key's range: for the busiest key often the
-- index's rightmost leaf, which btree's fastpath insert reaches without a descent.
-- AuditReader.forKey ("WHERE api_key_id = $1 … ORDER BY id DESC LIMIT n") reads it backwards.
DROP INDEX IF EXISTS audit_log_key;
CREATE INDEX audit_log_key ON audit_log (api_key_id, id);

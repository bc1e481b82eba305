-- audit_log_time duplicated the primary key's index (id DESC scans the PK backwards) and cost
-- every audit insert, one per authenticated request.
DROP INDEX IF EXISTS audit_log_time;

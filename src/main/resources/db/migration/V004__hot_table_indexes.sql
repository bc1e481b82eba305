-- Issue #11: every index on a hot table is written (and WAL-logged) for every row; a hot table
-- keeps only the indexes a query needs. What stays, and the query that needs it:
--
-- outbound_messages
--   outbound_messages_pkey (id): OutboundRepository.findVisible (GET /v1/emails/{id}),
--     PgOutboundQueue's claim join and settle, DeliveryWebhooks, every FK from the tables below.
--   outbound_messages_blob (blob_key) WHERE blob_key IS NOT NULL: OrphanBlobSweeper
--     ("blob_key = ANY($1)"); partial, so it costs nothing for inline (small) messages.
-- outbound_recipients
--   outbound_recipients_pkey (message_id, address): findVisible, the claim's recipient arrays,
--     settle's per-recipient update, the cascade from outbound_messages.
-- outbound_events
--   outbound_events_message (message_id, id): findVisible's events in order, the cascade.
-- delivery_queue
--   delivery_queue_pkey (message_id): settle, renew, release, the cascade.
--   delivery_queue_due (due_at): the claim ("due_at <= now() ORDER BY due_at LIMIT n") and the
--     unpark of mail parked while no relay was configured ("due_at = 'infinity'").
-- audit_log
--   audit_log_pkey (id): AuditReader.activity ("ORDER BY id DESC LIMIT n").
--   audit_log_key (api_key_id, id DESC): AuditReader.forKey.
-- idempotency_records
--   idempotency_records_pkey (api_key_id, idempotency_key): the upsert and the replay lookup.
--
-- Dropped, with the reason:

-- No query lists a key's messages (there is no list endpoint). Its only reader was the
-- ON DELETE RESTRICT check when a mailbox's keys are deleted, a rare admin operation that
-- already scans outbound_messages for mailbox_id (ON DELETE SET NULL, never indexed).
DROP INDEX IF EXISTS outbound_messages_key_created;

-- No query reads an event by its id alone: events are read per message, in id order, through
-- outbound_events_message. The id stays unique by its sequence.
ALTER TABLE outbound_events DROP CONSTRAINT IF EXISTS outbound_events_pkey;

-- No query selects by lease_until: the claim walks delivery_queue_due and filters the lease.
-- Without it a claim (which only sets lease_owner/lease_until) can be a HOT update.
DROP INDEX IF EXISTS delivery_queue_lease;

-- Nothing deletes expired idempotency records by expiry; lookups go through the primary key
-- and test expires_at on the row.
DROP INDEX IF EXISTS idempotency_records_expiry;

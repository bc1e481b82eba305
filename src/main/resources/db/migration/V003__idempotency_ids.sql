-- An idempotency record keeps what the core accepted (the message ids, in request order) and the
-- request digest; each edge renders its own reply from them on a replay (issue #10: the record no
-- longer stores an HTTP status and body). Live records written before this migration get their
-- ids from the stored body: {"id": …} for a single send, {"data": [{"id": …}, …]} for a batch.
ALTER TABLE idempotency_records ADD COLUMN message_ids uuid[];
UPDATE idempotency_records
   SET message_ids = CASE
     WHEN response_body ? 'id' THEN ARRAY[(response_body->>'id')::uuid]
     ELSE ARRAY(SELECT (item->>'id')::uuid
                  FROM jsonb_array_elements(response_body->'data') WITH ORDINALITY AS d(item, n)
                 ORDER BY n)
   END
 WHERE response_body IS NOT NULL;
UPDATE idempotency_records SET message_ids = '{}' WHERE message_ids IS NULL;
ALTER TABLE idempotency_records ALTER COLUMN message_ids SET NOT NULL;
ALTER TABLE idempotency_records DROP COLUMN response_status;
ALTER TABLE idempotency_records DROP COLUMN response_body;

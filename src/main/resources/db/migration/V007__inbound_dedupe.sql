-- Issue #13 (bench mx-accept): the MX's memory of retries after a lost 250 (RFC 5321 §6.1),
-- as a key PostgreSQL arbitrates itself. Before, each accept took an advisory lock on its
-- dedupe_key and SELECTed inbound_deliveries in its own transaction: two extra round trips per
-- message and no way to share a commit. Now the accept's one statement (InboundInsert, shared
-- by concurrent accepts) does INSERT … ON CONFLICT (mailbox_id, dedupe_key) here: a concurrent
-- twin waits on the conflicting row and then sees it (READ COMMITTED's ON CONFLICT arbitration
-- looks past the statement's snapshot), so a retry is still never filed twice.
--
-- One row per (mailbox, dedupe_key): created_at is when that mailbox last got the message; a
-- row older than 24 hours no longer counts (the conflict update takes it over for the new
-- delivery), and the housekeeping sweep deletes such rows. No foreign keys: this is a memory,
-- not data (a deleted mailbox's rows expire with the others) and each RI check costs the
-- accept a lookup.
CREATE TABLE inbound_dedupe (
  mailbox_id  uuid NOT NULL,
  dedupe_key  text NOT NULL,                       -- as inbound_deliveries.dedupe_key
  raw_id      uuid NOT NULL,                       -- the raw that delivery was for (the 250's id)
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mailbox_id, dedupe_key)
);

INSERT INTO inbound_dedupe (mailbox_id, dedupe_key, raw_id, created_at)
SELECT DISTINCT ON (mailbox_id, dedupe_key) mailbox_id, dedupe_key, raw_id, created_at
  FROM inbound_deliveries
 WHERE dedupe_key IS NOT NULL AND created_at > now() - interval '24 hours'
 ORDER BY mailbox_id, dedupe_key, created_at DESC;

-- Only the old lookup used it; one index less to write per accepted delivery.
DROP INDEX inbound_deliveries_dedupe;

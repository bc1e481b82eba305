-- Issue #11/#12: every row of outbound_recipients, outbound_events and delivery_queue is
-- written by the same statement that writes its outbound_messages row (send.OutboundInsert), so
-- their foreign keys to it could never fail — yet each cost PostgreSQL a referential check per
-- row at the end of every accept statement: an SPI query, an index descent and a FOR KEY SHARE
-- lock on the parent row (RI_FKey_check was 16.5 % of PostgreSQL's CPU under smtp-accept with
-- four of them per message, session 15). Nothing deletes outbound_messages rows, so their
-- ON DELETE CASCADE did nothing either; whatever deletes them one day (a retention sweep) must
-- delete these rows in the same statement. The foreign keys of outbound_messages itself (to the
-- key, domain and mailbox that own it) stay: they guard ownership against concurrent deletes.
ALTER TABLE outbound_recipients DROP CONSTRAINT IF EXISTS outbound_recipients_message_id_fkey;
ALTER TABLE outbound_events DROP CONSTRAINT IF EXISTS outbound_events_message_id_fkey;
ALTER TABLE delivery_queue DROP CONSTRAINT IF EXISTS delivery_queue_message_id_fkey;

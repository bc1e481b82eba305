-- Issue #11: inline MIME was compressed by pglz on every insert (12 % of PostgreSQL's CPU under
-- send-small: a 2 KB message crosses the 2 KB toast threshold, so PostgreSQL tries to shrink the
-- row). toast_tuple_target 8160 (the largest allowed) lets rows up to ~8 KB stay in the heap
-- uncompressed: no compression CPU and no TOAST row, at the price of storing and WAL-logging
-- those bytes as they are. Larger rows are still compressed and moved out of line as before.
-- (lz4 would be cheaper than pglz, but the embedded PostgreSQL is built without it.)
ALTER TABLE outbound_messages SET (toast_tuple_target = 8160);
ALTER TABLE inbound_raw SET (toast_tuple_target = 8160);

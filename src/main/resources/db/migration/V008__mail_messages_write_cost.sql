-- Issue #13 (bench mx-accept): filing fell behind the MX's accept rate (the backlog drained at
-- 0.89x of it), and the mail_messages INSERT was the largest statement (0.358 ms of PostgreSQL
-- per row). EXPLAIN ANALYZE of a 1 000-row insert: 368 ms with every index, 202 ms without the
-- GIN index on `search`. Every index on this table is written once per filed message, so it
-- keeps only those a query reads:
--   mail_messages_pkey          by id (detail, edits, attachments' foreign key)
--   UNIQUE (mailbox, folder, uid)  a UID never repeats in a folder (RFC 9051 §2.3.1.1)
--   mail_messages_listing       InboxQueries.list, newest first, and its `q` search (below)
--   mail_messages_thread        InboxQueries.thread, and ON DELETE SET NULL from mail_threads
--   mail_messages_delivery      filing is idempotent per inbound delivery (MessageFiling)
--
-- Search: `q` reads one folder of one mailbox newest first through mail_messages_listing and
-- tests each row's stored `search` vector (no text is parsed at query time), stopping at the
-- page's end. The GIN index spanned every mailbox of the gateway: a common word matched
-- millions of other tenants' rows before the mailbox filter. Like Dovecot without an FTS
-- plugin, a search costs in proportion to the folder it reads (docs/contract.md).
DROP INDEX mail_messages_search;
-- Not read by any query: threading looks Message-IDs up in mail_thread_refs, and the change log
-- (mail_changes, by mailbox and seq) is what resumes and IMAP's CONDSTORE/QRESYNC will read.
DROP INDEX mail_messages_msgid;
DROP INDEX mail_messages_modseq;

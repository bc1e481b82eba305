-- Receiving (SPEC §2 "Stored message", §5 "Inbound MX"): the store behind the REST inbox, the
-- live stream and, later, IMAP and POP3. Replaces V001's inbound tables, which nothing used, with
-- a shape whose client-visible ids and flags need not change when those readers arrive:
--   * a per-mailbox change sequence (mailboxes.change_seq, mail_changes.seq) orders every change
--     and is the live stream's event id. It is taken with UPDATE … RETURNING on the mailbox row,
--     whose lock is held until commit, so changes commit in sequence order: a reader that has
--     seen seq n and later reads seq > n never misses one committed in between (gap-free).
--   * a message's modseq is the change seq of its last change (RFC 7162 §3.1: modseqs only need
--     to grow within a mailbox); a folder's highestmodseq is the largest of its messages'.
--   * UIDs come from the folder's uidnext (RFC 3501 §2.3.1.1: strictly ascending, never reused
--     while uidvalidity stays); a move files a new UID in the target and logs the expunge.

DROP TABLE inbound_attachments;
DROP TABLE inbound_messages;
DROP TABLE threads;

ALTER TABLE mailboxes
  ADD COLUMN change_seq           bigint NOT NULL DEFAULT 0,  -- last change sequence number taken
  ADD COLUMN storage_used_bytes   bigint NOT NULL DEFAULT 0 CHECK (storage_used_bytes >= 0),
  ADD COLUMN storage_quota_bytes  bigint CHECK (storage_quota_bytes > 0);  -- NULL: the configured default

-- Mail for unknown local parts of a domain goes here when set (SPEC §5 "optional catch-all").
ALTER TABLE domains
  ADD COLUMN catch_all_mailbox_id uuid REFERENCES mailboxes (id) ON DELETE SET NULL;

-- One received MIME as committed before 250, stored once whatever the number of mailboxes: one
-- plaintext copy for the plaintext-tier recipients, one OpenPGP message encrypted to every
-- standard-tier recipient's key (never a plaintext copy for those). Local delivery and sent
-- copies point at the outbound message instead of copying it.
CREATE TABLE inbound_raw (
  id               uuid PRIMARY KEY,
  source           text NOT NULL CHECK (source IN ('mx', 'local', 'sent')),
  received_at      timestamptz NOT NULL DEFAULT now(),
  remote_addr      text,
  helo             text,
  envelope_from    text NOT NULL DEFAULT '',      -- '' is the null reverse-path <>
  encrypted        boolean NOT NULL,              -- an OpenPGP message (RFC 4880), binary
  clear_facts      jsonb,                         -- standard tier: the header facts kept readable
  mime_inline      bytea,
  blob_key         text,
  outbound_id      uuid REFERENCES outbound_messages (id) ON DELETE CASCADE,
  mime_size        bigint NOT NULL CHECK (mime_size >= 0),
  CHECK (num_nonnulls(mime_inline, blob_key, outbound_id) = 1)
);
CREATE INDEX inbound_raw_outbound ON inbound_raw (outbound_id) WHERE outbound_id IS NOT NULL;

-- One per (raw MIME, mailbox): the filing pipeline's leased work queue, then the memory that
-- lets an MTA's retry after a lost 250 find it was already taken (dedupe_key, one day).
CREATE TABLE inbound_deliveries (
  id            uuid PRIMARY KEY,
  raw_id        uuid NOT NULL REFERENCES inbound_raw (id) ON DELETE CASCADE,
  mailbox_id    uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  recipient     text NOT NULL,                   -- as given (bot+tag@example.com)
  tag           text,                            -- the sub-address, kept
  folder        text NOT NULL DEFAULT 'inbox' CHECK (char_length(folder) BETWEEN 1 AND 64),
  dedupe_key    text,                            -- sha256(Message-ID):sha256(octets) in hex; NULL without a Message-ID
  state         text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'filed', 'failed')),
  due_at        timestamptz NOT NULL DEFAULT now(),
  attempts      int NOT NULL DEFAULT 0,
  last_error    text,
  lease_owner   text,
  lease_until   timestamptz,
  message_id    uuid,                            -- the mail_messages row once filed
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inbound_deliveries_due ON inbound_deliveries (due_at) WHERE state = 'pending';
CREATE INDEX inbound_deliveries_lease ON inbound_deliveries (lease_until) WHERE lease_owner IS NOT NULL;
CREATE INDEX inbound_deliveries_dedupe ON inbound_deliveries (mailbox_id, dedupe_key, created_at)
  WHERE dedupe_key IS NOT NULL;
CREATE INDEX inbound_deliveries_raw ON inbound_deliveries (raw_id);

CREATE TABLE mail_folders (
  mailbox_id     uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
  uidvalidity    bigint NOT NULL CHECK (uidvalidity BETWEEN 1 AND 4294967295),
  uidnext        bigint NOT NULL DEFAULT 1 CHECK (uidnext BETWEEN 1 AND 4294967296),
  highestmodseq  bigint NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mailbox_id, name)
);

CREATE TABLE mail_threads (
  id               uuid PRIMARY KEY,
  mailbox_id       uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  subject          text NOT NULL DEFAULT '',
  message_count    int NOT NULL DEFAULT 0,
  last_message_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_threads_mailbox ON mail_threads (mailbox_id, last_message_at DESC);

-- Every Message-ID a thread knows in a mailbox — its messages' own and those they reference —
-- so a reply finds its conversation whichever ancestor it names, and a parent that arrives after
-- its children joins them (JWZ threading, restricted to one mailbox).
CREATE TABLE mail_thread_refs (
  mailbox_id   uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  message_ref  text NOT NULL,                    -- a Message-ID without <>, as written
  thread_id    uuid NOT NULL REFERENCES mail_threads (id) ON DELETE CASCADE,
  PRIMARY KEY (mailbox_id, message_ref)
);
CREATE INDEX mail_thread_refs_thread ON mail_thread_refs (thread_id);

CREATE TABLE mail_messages (
  id                 uuid PRIMARY KEY,
  mailbox_id         uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  folder             text NOT NULL,
  uid                bigint NOT NULL,
  modseq             bigint NOT NULL,
  flags              text[] NOT NULL DEFAULT '{}',  -- \Seen \Flagged \Deleted \Answered \Draft, keywords
  raw_id             uuid NOT NULL REFERENCES inbound_raw (id),
  delivery_id        uuid,                          -- the inbound_deliveries row it was filed from
  thread_id          uuid REFERENCES mail_threads (id) ON DELETE SET NULL,
  thread_position    int,                           -- 1-based, by arrival within the thread
  received_at        timestamptz NOT NULL,
  size_bytes         bigint NOT NULL CHECK (size_bytes >= 0),
  encrypted          boolean NOT NULL,              -- standard tier: bodies only in the OpenPGP raw
  parse_failed       boolean NOT NULL DEFAULT false,-- filed raw; the parsed fields may be partial
  recipient          text,                          -- the envelope recipient it was filed for
  tag                text,                          -- sub-address of that recipient
  message_id_header  text,
  in_reply_to        text,
  references_ids     text[] NOT NULL DEFAULT '{}',
  from_name          text,
  from_address       text,
  to_addresses       text[] NOT NULL DEFAULT '{}',
  cc_addresses       text[] NOT NULL DEFAULT '{}',
  subject            text,
  sent_at            timestamptz,                   -- the Date header
  headers            jsonb,                         -- plaintext tier: [{name, value}] decoded, in order
  text_body          text,
  html_body          text,
  preview            text,                          -- first 200 characters of text_body
  has_attachments    boolean NOT NULL DEFAULT false,
  search             tsvector GENERATED ALWAYS AS (
                       to_tsvector('simple', coalesce(subject, '') || ' ' || coalesce(from_name, '') || ' '
                         || coalesce(from_address, '') || ' ' || coalesce(left(text_body, 100000), ''))) STORED,
  UNIQUE (mailbox_id, folder, uid),
  FOREIGN KEY (mailbox_id, folder) REFERENCES mail_folders (mailbox_id, name)
);
CREATE INDEX mail_messages_listing ON mail_messages (mailbox_id, folder, received_at DESC, id DESC);
CREATE INDEX mail_messages_thread ON mail_messages (thread_id, received_at);
CREATE INDEX mail_messages_msgid ON mail_messages (mailbox_id, message_id_header);
CREATE INDEX mail_messages_modseq ON mail_messages (mailbox_id, folder, modseq);
CREATE INDEX mail_messages_search ON mail_messages USING gin (search);
CREATE UNIQUE INDEX mail_messages_delivery ON mail_messages (delivery_id) WHERE delivery_id IS NOT NULL;

CREATE TABLE mail_attachments (
  id            uuid PRIMARY KEY,
  message_id    uuid NOT NULL REFERENCES mail_messages (id) ON DELETE CASCADE,
  position      int NOT NULL,
  filename      text NOT NULL,                   -- safe for Content-Disposition
  content_type  text NOT NULL DEFAULT 'application/octet-stream',
  disposition   text NOT NULL DEFAULT 'attachment' CHECK (disposition IN ('attachment', 'inline')),
  content_id    text,
  size          bigint NOT NULL CHECK (size >= 0),
  content       bytea,
  blob_key      text,
  CHECK ((content IS NULL) <> (blob_key IS NULL))
);
CREATE INDEX mail_attachments_message ON mail_attachments (message_id, position);

-- Every change to a mailbox's messages, in change-sequence order: what the live stream resumes
-- from (Last-Event-ID) and what IMAP's QRESYNC / VANISHED will read (RFC 7162 §3.2).
CREATE TABLE mail_changes (
  mailbox_id    uuid NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
  seq           bigint NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('new', 'updated', 'moved', 'expunged')),
  message_id    uuid NOT NULL,                   -- mail_messages.id (may be gone for expunged)
  folder        text NOT NULL,                   -- the folder after the change
  uid           bigint,                          -- the UID after the change (NULL when expunged)
  prior_folder  text,                            -- a move or expunge: where it was
  prior_uid     bigint,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mailbox_id, seq)
);

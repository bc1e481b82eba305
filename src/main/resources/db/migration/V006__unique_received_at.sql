-- Issue #14: received_at is unique within a mailbox and ascends in commit order, so the inbox
-- list's ISO cursor (before=<received_at of the page's last message>, newest first) never skips
-- nor repeats a message, also when a thousand arrive in one second and while mail arrives.
--
-- The filer (MessageFiling) assigns received_at = greatest(the MX's receipt time,
-- last_received_at + 1 µs) in the same UPDATE that takes the mailbox's change seq: under the
-- mailbox row lock every store transaction takes first, so two filings into one mailbox never
-- get the same instant, and a later commit never gets an earlier one (a page already read never
-- gains a message). timestamptz has microsecond resolution: 1 µs is the smallest step.
ALTER TABLE mailboxes ADD COLUMN last_received_at timestamptz;

UPDATE mailboxes b SET last_received_at = m.latest
  FROM (SELECT mailbox_id, max(received_at) AS latest FROM mail_messages GROUP BY mailbox_id) m
 WHERE m.mailbox_id = b.id;

package dev.postern.bench;

import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * inbox-list's mailbox beyond what the filing pipeline files in the seed's time (bench/RECEIVING.md):
 * SQL copies of the messages the pipeline filed. Copy round k repeats those {@code originals}
 * with new ids, the next UIDs, new threads (one per original thread, same shape), Message-IDs
 * made unique ({@code -<run>@} → {@code -<run>-c<k>@}, also in In-Reply-To and References) and
 * {@code received_at} moved {@code k × originals} seconds later, so message j of the mailbox is
 * still received at {@code base + j} s, one second apart. Every column the list reads is a
 * filed message's own (the parse, preview and search vector the gateway made); not copied: the
 * raw MIME (copies share their original's {@code inbound_raw}), {@code mail_thread_refs} (no
 * new mail threads onto a copy) and the change log (no stream reads it). The folder's
 * {@code uidnext}, the mailbox's {@code last_received_at} and {@code storage_used_bytes} move
 * as filing moves them.
 */
final class InboxSeedCopies {

  private static final String COPY_ROUND = """
      WITH src AS MATERIALIZED (
        SELECT m.*, row_number() OVER (ORDER BY m.received_at) - 1 AS n
          FROM mail_messages m
         WHERE m.mailbox_id = $1 AND m.message_id_header LIKE $2
         ORDER BY m.received_at
         LIMIT $3),
      tmap AS MATERIALIZED (
        SELECT t.id AS old_id, gen_random_uuid() AS new_id, t.subject, t.message_count,
               t.last_message_at
          FROM mail_threads t WHERE t.id IN (SELECT thread_id FROM src)),
      threads AS (
        INSERT INTO mail_threads (id, mailbox_id, subject, message_count, last_message_at)
        SELECT new_id, $1, subject, message_count, last_message_at + $4::int * interval '1 second'
          FROM tmap),
      folder AS (
        SELECT uidnext FROM mail_folders WHERE mailbox_id = $1 AND name = 'inbox'),
      bump AS (
        UPDATE mail_folders SET uidnext = uidnext + (SELECT count(*) FROM src)
         WHERE mailbox_id = $1 AND name = 'inbox'),
      mailbox AS (
        UPDATE mailboxes SET
               last_received_at = greatest(last_received_at,
                 (SELECT max(received_at) FROM src) + $4::int * interval '1 second'),
               storage_used_bytes = storage_used_bytes + (SELECT coalesce(sum(size_bytes), 0) FROM src)
         WHERE id = $1)
      INSERT INTO mail_messages (id, mailbox_id, folder, uid, modseq, flags, raw_id, delivery_id,
          thread_id, thread_position, received_at, size_bytes, encrypted, parse_failed, recipient,
          tag, message_id_header, in_reply_to, references_ids, from_name, from_address,
          to_addresses, cc_addresses, subject, sent_at, headers, text_body, html_body, preview,
          has_attachments)
      SELECT gen_random_uuid(), s.mailbox_id, s.folder, f.uidnext + s.n, s.modseq, s.flags,
             s.raw_id, NULL, (SELECT new_id FROM tmap WHERE old_id = s.thread_id),
             s.thread_position, s.received_at + $4::int * interval '1 second', s.size_bytes,
             s.encrypted, s.parse_failed, s.recipient, s.tag,
             replace(s.message_id_header, $5, $6), replace(s.in_reply_to, $5, $6),
             coalesce((SELECT array_agg(replace(r, $5, $6)) FROM unnest(s.references_ids) AS r),
                      '{}'),
             s.from_name, s.from_address, s.to_addresses, s.cc_addresses, s.subject,
             s.sent_at + $4::int * interval '1 second', s.headers, s.text_body, s.html_body,
             s.preview, s.has_attachments
        FROM src s, folder f""";

  private InboxSeedCopies() {}

  /**
   * Copies the {@code originals} messages InboxSeed filed in run {@code run} until the mailbox
   * holds {@code total} of the seed's; one statement (and commit) per round.
   */
  static void copy(PgConnection db, UUID mailboxId, String run, int originals, int total)
      throws Exception {
    String suffix = "-" + run + "@senders.test";
    for (int k = 1; (long) k * originals < total; k++) {
      int count = Math.min(originals, total - k * originals);
      db.preparedQuery(COPY_ROUND).execute(Tuple.of(mailboxId, "%seed-%" + suffix + "%", count,
          k * originals, suffix, "-" + run + "-c" + k + "@senders.test"))
          .await(10, TimeUnit.MINUTES);
    }
  }
}

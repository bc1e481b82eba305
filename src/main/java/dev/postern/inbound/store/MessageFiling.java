package dev.postern.inbound.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The statements of filing one message, in one transaction on one connection, pipelined in two
 * round trips after which the transaction commits:
 * <ol>
 *   <li>take the mailbox's next change seq ({@code UPDATE mailboxes … RETURNING}: its row lock,
 *       held to commit, orders the mailbox's commits by seq — V005's gap-free argument — and
 *       serialises threading decisions in the mailbox), the folder's next UID (folder row
 *       created on demand with a random uidvalidity; its highestmodseq raised to the seq), and
 *       look up the threads the message's ids are known to;</li>
 *   <li>write the thread rows, the message, its attachments, the thread numbering, the
 *       {@code new} change and the caller's own step (the delivery marked filed).</li>
 * </ol>
 * Every store transaction takes the mailbox row first, then folder rows, then thread and message
 * rows: one lock order, so store transactions never deadlock with each other.
 */
final class MessageFiling {

  /**
   * The change seq, the storage use and the message's received_at (V006): the receipt time, or
   * 1 µs after the mailbox's previous message when that is not earlier — unique and ascending
   * per mailbox because the row lock serialises the mailbox's filings.
   */
  private static final String TAKE_SEQ = """
      UPDATE mailboxes SET change_seq = change_seq + 1, storage_used_bytes = storage_used_bytes + $2,
             last_received_at = greatest($3::timestamptz, last_received_at + interval '1 microsecond')
       WHERE id = $1 RETURNING change_seq, last_received_at""";

  /** RFC 3501 §2.3.1.1: UIDs ascend strictly and are never reused while uidvalidity stays. */
  static final String TAKE_UID = """
      INSERT INTO mail_folders AS f (mailbox_id, name, uidvalidity, uidnext, highestmodseq)
      VALUES ($1, $2, $3, 2, (SELECT change_seq FROM mailboxes WHERE id = $1))
      ON CONFLICT (mailbox_id, name) DO UPDATE
        SET uidnext = f.uidnext + 1, highestmodseq = (SELECT change_seq FROM mailboxes WHERE id = $1)
      RETURNING uidnext - 1 AS uid""";

  private static final String INSERT = """
      INSERT INTO mail_messages (id, mailbox_id, folder, uid, modseq, flags, raw_id, delivery_id,
          thread_id, received_at, size_bytes, encrypted, parse_failed, recipient, tag,
          message_id_header, in_reply_to, references_ids, from_name, from_address, to_addresses,
          cc_addresses, subject, sent_at, headers, text_body, html_body, preview, has_attachments)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
          $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29)""";

  private static final String LOG_NEW = """
      INSERT INTO mail_changes (mailbox_id, seq, kind, message_id, folder, uid)
      VALUES ($1, $2, 'new', $3, $4, $5)""";

  private MessageFiling() {}

  /** A uidvalidity for a new folder: random in [1, 2^32-1] (RFC 3501 §2.3.1.1). */
  static long newUidValidity() {
    return ThreadLocalRandom.current().nextLong(1, 1L << 32);
  }

  static Future<FiledMessage> file(SqlConnection c, UUID id, NewMessage m,
      StoredAttachments attachments, MailStore.InTransaction also) {
    List<String> keys = m.threadKeys();
    Future<Row> taken = c.preparedQuery(TAKE_SEQ)
        .execute(Tuple.of(m.mailboxId(), m.sizeBytes(), m.receivedAt().atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          if (rows.size() == 0) {
            throw new IllegalArgumentException("no mailbox " + m.mailboxId());
          }
          return rows.iterator().next();
        });
    Future<Long> seq = taken.map(r -> r.getLong("change_seq"));
    Future<Long> uid = c.preparedQuery(TAKE_UID)
        .execute(Tuple.of(m.mailboxId(), m.folder(), newUidValidity()))
        .map(rows -> rows.iterator().next().getLong("uid"));
    Future<List<Threader.Known>> known = Threader.lookup(c, m.mailboxId(), keys);
    return Future.all(seq, uid, known).compose(v -> {
      Instant receivedAt = taken.result().getOffsetDateTime("last_received_at").toInstant();
      Threader.Decision thread = Threader.decide(known.result(), Text.clean(m.subject()), receivedAt);
      Future<?> threadRows = Threader.apply(c, m.mailboxId(), thread, keys, receivedAt);
      Future<?> message = c.preparedQuery(INSERT).execute(row(id, m, receivedAt, uid.result(),
          seq.result(), thread.threadId(), !attachments.isEmpty()));
      Future<?> parts = attachments.insert(c, id);
      Future<Integer> position = Threader.number(c, thread.threadId(), id);
      Future<?> change = c.preparedQuery(LOG_NEW)
          .execute(Tuple.of(m.mailboxId(), seq.result(), id, m.folder(), uid.result()));
      Future<Void> own = also.run(c, id);
      return Future.all(List.of(threadRows, message, parts, position, change, own))
          .map(done -> new FiledMessage(id, m.mailboxId(), m.folder(), uid.result(), seq.result(),
              thread.threadId(), position.result(), receivedAt, false));
    });
  }

  private static final String EARLIER = """
      SELECT id, folder, uid, modseq, thread_id, thread_position, received_at FROM mail_messages
       WHERE delivery_id = $1""";

  /** The delivery was filed before: its message, and the caller's step run again. */
  static Future<FiledMessage> earlier(SqlConnection c, NewMessage m, MailStore.InTransaction also) {
    return c.preparedQuery(EARLIER).execute(Tuple.of(m.deliveryId())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new IllegalStateException(
            "delivery " + m.deliveryId() + " was filed and its message expunged since"));
      }
      Row r = rows.iterator().next();
      UUID id = r.getUUID("id");
      Integer position = r.getInteger("thread_position");
      return also.run(c, id).map(v -> new FiledMessage(id, m.mailboxId(), r.getString("folder"),
          r.getLong("uid"), r.getLong("modseq"), r.getUUID("thread_id"),
          position == null ? 0 : position, r.getOffsetDateTime("received_at").toInstant(), true));
    });
  }

  private static Tuple row(UUID id, NewMessage m, Instant receivedAt, long uid, long seq, UUID threadId,
      boolean hasAttachments) {
    return Tuple.tuple()
        .addValue(id).addValue(m.mailboxId()).addValue(m.folder()).addValue(uid).addValue(seq)
        .addValue(MessageFlags.normalize(m.flags() == null ? List.of() : m.flags()).toArray(String[]::new))
        .addValue(m.rawId()).addValue(m.deliveryId()).addValue(threadId)
        .addValue(receivedAt.atOffset(ZoneOffset.UTC)).addValue(m.sizeBytes())
        .addValue(m.encrypted()).addValue(m.parseFailed())
        .addValue(Text.clean(m.recipient())).addValue(Text.clean(m.tag()))
        .addValue(bare(m.messageIdHeader())).addValue(bare(m.inReplyTo()))
        .addValue(Text.clean(m.references() == null ? List.of()
            : m.references().stream().map(MessageFiling::bare).filter(r -> r != null).toList()))
        .addValue(Text.clean(m.fromName())).addValue(Text.clean(m.fromAddress()))
        .addValue(Text.clean(m.to())).addValue(Text.clean(m.cc()))
        .addValue(Text.clean(m.subject()))
        .addValue(m.sentAt() == null ? null : m.sentAt().atOffset(ZoneOffset.UTC))
        .addValue(Text.clean(m.headers()))
        .addValue(Text.clean(m.text())).addValue(Text.clean(m.html())).addValue(Text.clean(m.preview()))
        .addValue(hasAttachments);
  }

  /** A msg-id without angle brackets (RFC 5322 §3.6.4), or null. */
  private static String bare(String id) {
    if (id == null) {
      return null;
    }
    String s = Text.clean(id.strip());
    if (s.startsWith("<") && s.endsWith(">")) {
      s = s.substring(1, s.length() - 1).strip();
    }
    return s.isEmpty() ? null : s;
  }
}

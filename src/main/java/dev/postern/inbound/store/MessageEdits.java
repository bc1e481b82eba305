package dev.postern.inbound.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Flag changes, moves and expunges, each one transaction: lock the mailbox row and read the
 * message (one pipelined round trip), decide, then one statement that takes the next change seq,
 * changes the message (modseq = that seq), raises the folders' highestmodseq and logs the change.
 * A request that changes nothing rolls back: no seq is used, nothing is logged.
 */
final class MessageEdits {

  /**
   * The mailbox row first: the store's one lock order, and a mode that leaves accepts'
   * foreign-key checks alone (see {@link MessageFiling#LOCK}).
   */
  static final String LOCK = "SELECT change_seq FROM mailboxes WHERE id = $1 FOR NO KEY UPDATE";
  private static final String READ = """
      SELECT folder, uid, flags, size_bytes FROM mail_messages WHERE id = $2 AND mailbox_id = $1""";

  private static final String SET_FLAGS = """
      WITH s AS (UPDATE mailboxes SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq),
      m AS (UPDATE mail_messages SET flags = $3, modseq = (SELECT change_seq FROM s)
             WHERE id = $2 AND mailbox_id = $1 RETURNING folder, uid, modseq),
      f AS (UPDATE mail_folders SET highestmodseq = (SELECT modseq FROM m)
             WHERE mailbox_id = $1 AND name = (SELECT folder FROM m))
      INSERT INTO mail_changes (mailbox_id, seq, kind, message_id, folder, uid)
      SELECT $1, modseq, 'updated', $2, folder, uid FROM m
      RETURNING *""";

  /** After {@link MessageFiling#TAKE_UID} on the target in the same transaction. */
  private static final String MOVE = """
      WITH s AS (UPDATE mailboxes SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq),
      m AS (UPDATE mail_messages SET folder = $3, modseq = (SELECT change_seq FROM s),
                   uid = (SELECT uidnext - 1 FROM mail_folders WHERE mailbox_id = $1 AND name = $3)
             WHERE id = $2 AND mailbox_id = $1 RETURNING uid, modseq),
      f AS (UPDATE mail_folders SET highestmodseq = (SELECT modseq FROM m)
             WHERE mailbox_id = $1 AND name IN ($3, $4))
      INSERT INTO mail_changes (mailbox_id, seq, kind, message_id, folder, uid, prior_folder, prior_uid)
      SELECT $1, modseq, 'moved', $2, $3, uid, $4, $5 FROM m
      RETURNING *""";

  /** RFC 7162 §3.2.10: an expunge raises the folder's HIGHESTMODSEQ too. */
  private static final String EXPUNGE = """
      WITH s AS (UPDATE mailboxes SET change_seq = change_seq + 1,
                        storage_used_bytes = greatest(0, storage_used_bytes - $3)
                  WHERE id = $1 RETURNING change_seq),
      m AS (DELETE FROM mail_messages WHERE id = $2 AND mailbox_id = $1 RETURNING folder, uid, thread_id),
      f AS (UPDATE mail_folders SET highestmodseq = (SELECT change_seq FROM s)
             WHERE mailbox_id = $1 AND name = (SELECT folder FROM m)),
      t AS (UPDATE mail_threads SET message_count = greatest(0, message_count - 1)
             WHERE id = (SELECT thread_id FROM m))
      INSERT INTO mail_changes (mailbox_id, seq, kind, message_id, folder, uid, prior_folder, prior_uid)
      SELECT $1, (SELECT change_seq FROM s), 'expunged', $2, folder, NULL, folder, uid FROM m
      RETURNING *""";

  /** The message as read under the mailbox lock. */
  private record Current(String folder, long uid, Set<String> flags, long size) {}

  private MessageEdits() {}

  static Future<Edit> flags(SqlConnection c, UUID mailboxId, UUID messageId,
      UnaryOperator<Set<String>> change) {
    return read(c, mailboxId, messageId).compose(current -> {
      if (current == null) {
        return Future.succeededFuture(new Edit.NotFound());
      }
      Set<String> next = MessageFlags.normalize(change.apply(new TreeSet<>(current.flags())));
      if (next.equals(current.flags())) {
        return Future.succeededFuture(new Edit.Unchanged());
      }
      return logged(c, SET_FLAGS, Tuple.of(mailboxId, messageId).addValue(next.toArray(String[]::new)));
    });
  }

  static Future<Edit> move(SqlConnection c, UUID mailboxId, UUID messageId, String folder) {
    return read(c, mailboxId, messageId).compose(current -> {
      if (current == null) {
        return Future.succeededFuture(new Edit.NotFound());
      }
      if (current.folder().equals(folder)) {
        return Future.succeededFuture(new Edit.Unchanged());
      }
      // The target's UID is taken first (folder created on demand); MOVE reads it back.
      Future<?> uid = c.preparedQuery(MessageFiling.TAKE_UID)
          .execute(Tuple.of(mailboxId, folder, MessageFiling.newUidValidity()));
      Future<Edit> moved = logged(c, MOVE, Tuple.of(mailboxId, messageId, folder, current.folder(),
          current.uid()));
      return Future.all(uid, moved).map(v -> moved.result());
    });
  }

  static Future<Edit> expunge(SqlConnection c, UUID mailboxId, UUID messageId) {
    return read(c, mailboxId, messageId).compose(current -> current == null
        ? Future.succeededFuture(new Edit.NotFound())
        : logged(c, EXPUNGE, Tuple.of(mailboxId, messageId, current.size())));
  }

  private static Future<Current> read(SqlConnection c, UUID mailboxId, UUID messageId) {
    Future<?> lock = c.preparedQuery(LOCK).execute(Tuple.of(mailboxId));
    Future<Current> read = c.preparedQuery(READ).execute(Tuple.of(mailboxId, messageId))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new Current(r.getString("folder"), r.getLong("uid"),
              new TreeSet<>(Arrays.asList(r.getArrayOfStrings("flags"))), r.getLong("size_bytes"));
        });
    return Future.all(lock, read).map(v -> read.result());
  }

  private static Future<Edit> logged(SqlConnection c, String sql, Tuple args) {
    return c.preparedQuery(sql).execute(args).map(rows -> {
      if (rows.size() == 0) {
        throw new IllegalStateException("message vanished under the mailbox lock");
      }
      return new Edit.Changed(MailStore.change(rows.iterator().next()));
    });
  }
}

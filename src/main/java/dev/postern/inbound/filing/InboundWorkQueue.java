package dev.postern.inbound.filing;

import dev.postern.queue.PgWorkQueue;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The filing work queue over {@code inbound_deliveries} (one row per raw MIME and mailbox,
 * committed by the acceptor before its 250): waiting rows are {@code state = 'pending'}, leased
 * like every {@link PgWorkQueue} (a dead node's lease expires and another node files the row).
 * The attempt is counted when a row is claimed; a row filed is marked {@code filed} inside the
 * filing transaction ({@link #markFiled}); a failed attempt is retried after a back-off and
 * marked {@code failed} after the bound ({@link #retryOrFail}).
 */
public final class InboundWorkQueue extends PgWorkQueue<InboundDelivery> {

  /** Local event-bus address that wakes this node's filing loop. */
  public static final String WAKE_ADDRESS = "postern.inbound.wake";
  /** NOTIFY channel the acceptor raises after committing deliveries. */
  public static final String NOTIFY_CHANNEL = "postern_inbound";

  static final Table TABLE = new Table("inbound_deliveries", "id", "due_at", "state = 'pending'",
      ", attempts = q.attempts + 1", ", attempts = greatest(q.attempts - 1, 0)");

  /** The raw's bytes or key: its own, or those of the outbound message it points at. */
  private static final String READ_CLAIMED = """
      SELECT c.id, c.raw_id, c.mailbox_id, c.recipient, c.tag, c.folder, c.attempts,
             r.received_at, r.encrypted, r.clear_facts, r.mime_size,
             coalesce(r.mime_inline, o.mime_inline) AS mime_inline,
             coalesce(r.blob_key, o.blob_key) AS blob_key,
             mb.domain_id, mb.address
        FROM claimed c
        JOIN inbound_raw r ON r.id = c.raw_id
        JOIN mailboxes mb ON mb.id = c.mailbox_id
        LEFT JOIN outbound_messages o ON o.id = r.outbound_id""";

  private static final String FILED = """
      UPDATE inbound_deliveries d SET state = 'filed', message_id = f.message_id, last_error = NULL,
             lease_owner = NULL, lease_until = NULL
        FROM unnest($1::uuid[], $2::uuid[]) AS f (id, message_id)
       WHERE d.id = f.id""";

  private static final String RETRY_OR_FAIL = """
      UPDATE inbound_deliveries
         SET state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END,
             due_at = now() + $4::bigint * interval '1 millisecond',
             last_error = left($5, 1000), lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2 AND state = 'pending'
      RETURNING state""";

  /** @param owner this node's lease owner name, unique among live nodes */
  public InboundWorkQueue(Pool pool, String owner) {
    super(pool, owner, TABLE, READ_CLAIMED);
  }

  @Override
  public UUID idOf(InboundDelivery delivery) {
    return delivery.id();
  }

  @Override
  protected InboundDelivery read(Row row) {
    OffsetDateTime received = row.getOffsetDateTime("received_at");
    return new InboundDelivery(row.getUUID("id"), row.getUUID("raw_id"), row.getUUID("mailbox_id"),
        row.getUUID("domain_id"), row.getString("address"), row.getString("recipient"),
        row.getString("tag"), row.getString("folder"), row.getInteger("attempts"),
        received.toInstant(), row.getBoolean("encrypted"), (io.vertx.core.json.JsonObject) row.getJson("clear_facts"),
        row.getBuffer("mime_inline"), row.getString("blob_key"), row.getLong("mime_size"));
  }

  /**
   * Marks deliveries filed, one statement, as a step of the filing transaction (whoever holds
   * the lease).
   *
   * @param messageIds the message each delivery at the same index was filed as
   */
  Future<Void> markFiled(SqlClient transaction, List<UUID> deliveryIds, List<UUID> messageIds) {
    return transaction.preparedQuery(FILED).execute(Tuple.tuple().addValue(deliveryIds.toArray(UUID[]::new))
        .addValue(messageIds.toArray(UUID[]::new))).mapEmpty();
  }

  /**
   * After a failed attempt: due again after {@code delay}, or {@code failed} once
   * {@code maxAttempts} were made.
   *
   * @return true when it will be retried; false when it failed for good or the lease was lost
   */
  Future<Boolean> retryOrFail(UUID deliveryId, int maxAttempts, Duration delay, String error) {
    return pool().preparedQuery(RETRY_OR_FAIL)
        .execute(Tuple.of(deliveryId, owner(), maxAttempts, delay.toMillis(), String.valueOf(error)))
        .map(rows -> rows.size() > 0 && "pending".equals(rows.iterator().next().getString("state")));
  }
}

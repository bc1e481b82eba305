package dev.postern.queue;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Arrays;
import java.util.UUID;

/**
 * {@link OutboundQueue} over the {@code delivery_queue} table, one row per message still to be
 * (re)tried, deleted when it is finished. Each call is one
 * statement (one round trip).
 */
public final class PgOutboundQueue extends PgWorkQueue<Claim> implements OutboundQueue {

  /** Parked rows are not waiting work: not claimed, not counted by nextDue (infinity - now()). */
  static final Table TABLE = new Table("delivery_queue", "message_id", "due_at",
      "due_at < '" + PARKED + "'", "", "");

  /** Reads the claimed rows' messages and recipients, over the {@code claimed} step. */
  private static final String READ_CLAIMED = """
      SELECT c.message_id, c.attempts, c.first_queued_at, m.mode, m.envelope_from,
             m.message_id_header, m.domain_id, m.mime_inline, m.blob_key, m.mime_size,
             ARRAY(SELECT r.address FROM outbound_recipients r
                   WHERE r.message_id = c.message_id ORDER BY r.address) AS addresses,
             ARRAY(SELECT r.status FROM outbound_recipients r
                   WHERE r.message_id = c.message_id ORDER BY r.address) AS statuses
      FROM claimed c JOIN outbound_messages m ON m.id = c.message_id""";

  /**
   * One statement, so one atomic commit: data-modifying CTEs all run to completion whether or
   * not the outer query reads them.
   */
  private static final String SETTLE = """
      WITH rcpt AS (
        UPDATE outbound_recipients r
        SET status = u.status, reply = u.reply, attempts = r.attempts + 1, updated_at = now()
        FROM unnest($3::text[], $4::text[], $5::text[]) AS u(address, status, reply)
        WHERE r.message_id = $1 AND r.address = u.address
        RETURNING 1),
      ev AS (
        INSERT INTO outbound_events (message_id, type, recipient, relay, reply, node)
        SELECT $1, e.type, e.recipient, e.relay, e.reply, $2
        FROM unnest($6::text[], $7::text[], $8::text[], $9::text[])
             AS e(type, recipient, relay, reply)
        RETURNING 1),
      msg AS (
        UPDATE outbound_messages SET status = $10, last_event = $10, updated_at = now()
        WHERE id = $1
        RETURNING 1),
      done AS (
        DELETE FROM delivery_queue
        WHERE message_id = $1 AND lease_owner = $2 AND $11::bigint IS NULL
        RETURNING 1),
      later AS (
        UPDATE delivery_queue
        SET due_at = now() + $11::bigint * interval '1 millisecond', attempts = attempts + 1,
            lease_owner = NULL, lease_until = NULL, last_error = $12
        WHERE message_id = $1 AND lease_owner = $2 AND $11::bigint IS NOT NULL
        RETURNING 1)
      SELECT (SELECT count(*) FROM done) + (SELECT count(*) FROM later) AS queue_rows""";

  /** @param node this node's lease owner name, unique among live nodes */
  public PgOutboundQueue(Pool pool, String node) {
    super(pool, node, TABLE, READ_CLAIMED);
  }

  @Override
  public UUID idOf(Claim claim) {
    return claim.messageId();
  }

  @Override
  public String enqueue(String messages) {
    return "INSERT INTO delivery_queue (message_id, due_at, last_error) SELECT id, due_at, last_error FROM "
        + messages;
  }

  @Override
  public Future<Integer> unpark() {
    return pool().query("UPDATE delivery_queue SET due_at = now(), first_queued_at = now()"
            + " WHERE due_at = '" + PARKED + "'")
        .execute().map(rows -> rows.rowCount());
  }

  @Override
  protected Claim read(Row row) {
    return new Claim(row.getUUID("message_id"), row.getInteger("attempts"),
        row.getOffsetDateTime("first_queued_at").toInstant(), row.getString("mode"),
        row.getString("envelope_from"), row.getString("message_id_header"),
        row.getUUID("domain_id"), row.getBuffer("mime_inline"), row.getString("blob_key"),
        row.getLong("mime_size"), Arrays.asList(row.getArrayOfStrings("addresses")),
        Arrays.stream(row.getArrayOfStrings("statuses")).map(RecipientStatus::fromWire).toList());
  }

  @Override
  public Future<Boolean> settle(Settlement s) {
    int n = s.recipients().size();
    String[] addresses = new String[n];
    String[] statuses = new String[n];
    String[] replies = new String[n];
    for (int i = 0; i < n; i++) {
      addresses[i] = s.recipients().get(i).address();
      statuses[i] = s.recipients().get(i).status().wire();
      replies[i] = s.recipients().get(i).reply();
    }
    int m = s.events().size();
    String[] types = new String[m];
    String[] recipients = new String[m];
    String[] relays = new String[m];
    String[] eventReplies = new String[m];
    for (int i = 0; i < m; i++) {
      Settlement.Event e = s.events().get(i);
      types[i] = e.type();
      recipients[i] = e.recipient();
      relays[i] = e.relay();
      eventReplies[i] = e.reply();
    }
    Tuple args = Tuple.tuple()
        .addUUID(s.messageId()).addString(owner())
        .addArrayOfString(addresses).addArrayOfString(statuses).addArrayOfString(replies)
        .addArrayOfString(types).addArrayOfString(recipients).addArrayOfString(relays)
        .addArrayOfString(eventReplies)
        .addString(s.messageStatus().wire())
        .addLong(s.retryIn() == null ? null : Math.max(1, s.retryIn().toMillis()))
        .addString(s.lastError());
    return pool().preparedQuery(SETTLE).execute(args)
        .map(rows -> rows.iterator().next().getLong(0) > 0);
  }
}

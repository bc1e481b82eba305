package dev.postern.send;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Local filings of mail claimed from the queue (issue #13.8: scheduled mail is routed when it is
 * due, not at accept): the same {@code inbound_raw} rows pointing at the outbound message and
 * {@code inbound_deliveries} rows the accept path commits with the message
 * ({@link LocalFilingRows}, {@link OutboundInsert}), which the filing pipeline claims.
 *
 * <p>Written at most once per (mailbox, folder) of an outbound message, whatever the number of
 * claims: the recipient is settled in a later commit ({@code queue.OutboundQueue#settle}), so a
 * node that dies in between, or loses its lease, leaves the message to be claimed again, and
 * that claim must find its copies already made. One transaction takes the message row's lock
 * ({@code FOR NO KEY UPDATE}: two claims of one message file one after the other, and the
 * second, in READ COMMITTED, sees the first's rows), reads the copies already made, and inserts
 * the others.
 */
public final class ClaimFilings {

  private static final String LOCK =
      "SELECT 1 FROM outbound_messages WHERE id = $1 FOR NO KEY UPDATE";

  private static final String MADE = """
      SELECT d.mailbox_id, d.folder
        FROM inbound_raw r JOIN inbound_deliveries d ON d.raw_id = r.id
       WHERE r.outbound_id = $1""";

  private static final String INSERT = "WITH " + LocalFilingRows.ctes(1) + " SELECT 1";


  private final Pool pool;

  public ClaimFilings(Pool pool) {
    this.pool = pool;
  }

  /**
   * Commits the copies of {@code filings} not made yet for the outbound message.
   *
   * @param envelopeFrom the message's reverse-path ({@code ""} or null for the null one)
   * @param clearFacts the facts encrypted ({@code standard}-tier) copies are filed from, or null
   *     when none is encrypted
   * @return whether any copy was added (then wake the filing loops, after this commit)
   */
  public Future<Boolean> fileOnce(UUID outboundId, String envelopeFrom, long mimeSize,
      List<LocalPlan.Filing> filings, JsonObject clearFacts) {
    if (filings.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return pool.withTransaction(c -> c.preparedQuery(LOCK).execute(Tuple.of(outboundId))
        .compose(locked -> locked.size() == 0 ? Future.succeededFuture(false)
            : c.preparedQuery(MADE).execute(Tuple.of(outboundId)).compose(made -> {
              Set<String> done = new HashSet<>();
              made.forEach(r -> done.add(r.getUUID(0) + "/" + r.getString(1)));
              List<LocalPlan.Filing> todo = filings.stream()
                  .filter(f -> !done.contains(f.mailboxId() + "/" + f.folder())).toList();
              if (todo.isEmpty()) {
                return Future.succeededFuture(false);
              }
              LocalFilingRows rows = new LocalFilingRows();
              rows.add(outboundId, envelopeFrom == null ? "" : envelopeFrom, mimeSize, todo,
                  clearFacts);
              return c.preparedQuery(INSERT).execute(rows.addTo(Tuple.tuple()))
                  .map(inserted -> true);
            })));
  }
}

package dev.postern.inbound.accept;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the MX's retry memories older than a day ({@code inbound_dedupe}, V007): a memory only
 * counts for 24 hours ({@link InboundInsert}), and without this sweep the table grows by a row
 * per received delivery forever. Each statement deletes at most {@code batch} rows (few locks,
 * little WAL at once); a pass repeats until a statement finds fewer. The table has no index on
 * its age (one less to write per accept): the oldest rows are first in the heap, where the
 * limited scan finds them. Safe on every node at once, and against a memory the accept path
 * refreshes meanwhile (the age is checked again on the row).
 */
public final class DedupeSweeper {

  private static final Logger log = LoggerFactory.getLogger(DedupeSweeper.class);

  private final Vertx vertx;
  private final Pool pool;
  private final int batch;
  private long timer = -1;
  private boolean sweeping; // confined to the timer's event loop

  public DedupeSweeper(Vertx vertx, Pool pool, int batch) {
    this.vertx = vertx;
    this.pool = pool;
    this.batch = batch;
  }

  /** Sweeps every {@code interval}; a pass still running when the next is due is not doubled. */
  public void start(Duration interval) {
    timer = vertx.setPeriodic(interval.toMillis(), id -> {
      if (sweeping) {
        return;
      }
      sweeping = true;
      sweep().onComplete(ar -> sweeping = false)
          .onSuccess(n -> {
            if (n > 0) {
              log.info("deleted {} expired inbound retry memories", n);
            }
          })
          .onFailure(e -> log.warn("inbound retry memory sweep failed: {}", e.getMessage()));
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass; completes with the number of rows deleted. */
  public Future<Integer> sweep() {
    return sweepFrom(0);
  }

  private Future<Integer> sweepFrom(int done) {
    return pool.preparedQuery("""
            DELETE FROM inbound_dedupe s
             USING (SELECT mailbox_id, dedupe_key FROM inbound_dedupe
                     WHERE created_at < now() - interval '24 hours' LIMIT $1) d
             WHERE s.mailbox_id = d.mailbox_id AND s.dedupe_key = d.dedupe_key
               AND s.created_at < now() - interval '24 hours'""")
        .execute(Tuple.of(batch))
        .compose(rows -> rows.rowCount() < batch ? Future.succeededFuture(done + rows.rowCount())
            : sweepFrom(done + rows.rowCount()));
  }
}

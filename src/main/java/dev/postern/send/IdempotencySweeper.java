package dev.postern.send;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired idempotency records (issue #15.9): a record only answers a replay within its
 * 24 h (SPEC §3 "Idempotency-Key"), and without this sweep the table grows by one row per keyed
 * request forever. Each statement deletes at most {@code batch} rows, picked through the expiry
 * index, so no sweep holds many row locks or writes much WAL at once; a pass repeats until a
 * statement finds fewer. Expiry is judged by PostgreSQL's {@code now()}, as the lookup judges
 * it. Safe on every node at once: deleting a row another node already deleted is a no-op, and a
 * record refreshed meanwhile (a new request under an expired key) no longer matches.
 */
public final class IdempotencySweeper {

  private static final Logger log = LoggerFactory.getLogger(IdempotencySweeper.class);

  private final Vertx vertx;
  private final Pool pool;
  private final int batch;
  private long timer = -1;
  private boolean sweeping; // confined to the timer's event loop

  public IdempotencySweeper(Vertx vertx, Pool pool, int batch) {
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
              log.info("deleted {} expired idempotency records", n);
            }
          })
          .onFailure(e -> log.warn("idempotency record sweep failed: {}", e.getMessage()));
    });
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass; completes with the number of records deleted. */
  public Future<Integer> sweep() {
    return sweepFrom(0);
  }

  private Future<Integer> sweepFrom(int done) {
    return pool.preparedQuery("""
            DELETE FROM idempotency_records r
             USING (SELECT api_key_id, idempotency_key FROM idempotency_records
                     WHERE expires_at < now() ORDER BY expires_at LIMIT $1) d
             WHERE r.api_key_id = d.api_key_id AND r.idempotency_key = d.idempotency_key
               AND r.expires_at < now()""")
        .execute(Tuple.of(batch))
        .compose(rows -> rows.rowCount() < batch ? Future.succeededFuture(done + rows.rowCount())
            : sweepFrom(done + rows.rowCount()));
  }
}

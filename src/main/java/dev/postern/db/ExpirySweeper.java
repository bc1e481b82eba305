package dev.postern.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired rows of one table in bounded statements, on a timer: tables of memories that
 * only count for a while (idempotency records, the MX's retry memories) would otherwise grow by a
 * row per request forever. Each statement deletes at most {@code batch} rows (few row locks,
 * little WAL at once); a pass repeats until a statement finds fewer. Safe on every node at once
 * provided the statement re-checks the age on the row it deletes (a row another node deleted is
 * a no-op; a row refreshed meanwhile no longer matches).
 */
public final class ExpirySweeper {

  private static final Logger log = LoggerFactory.getLogger(ExpirySweeper.class);

  private final Vertx vertx;
  private final Pool pool;
  private final String what;
  private final String deleteBatch;
  private final int batch;
  private long timer = -1;
  private boolean sweeping; // confined to the timer's event loop

  /**
   * @param what the rows, plural, for the log ("expired idempotency records")
   * @param deleteBatch a DELETE of at most {@code $1} expired rows
   */
  public ExpirySweeper(Vertx vertx, Pool pool, String what, String deleteBatch, int batch) {
    this.vertx = vertx;
    this.pool = pool;
    this.what = what;
    this.deleteBatch = deleteBatch;
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
              log.info("deleted {} {}", n, what);
            }
          })
          .onFailure(e -> log.warn("sweep of {} failed: {}", what, e.getMessage()));
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
    return pool.preparedQuery(deleteBatch).execute(Tuple.of(batch))
        .compose(rows -> rows.rowCount() < batch ? Future.succeededFuture(done + rows.rowCount())
            : sweepFrom(done + rows.rowCount()));
  }
}

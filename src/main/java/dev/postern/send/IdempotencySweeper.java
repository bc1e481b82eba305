package dev.postern.send;

import dev.postern.db.ExpirySweeper;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * Expired idempotency records (issue #15.9): a record only answers a replay within its 24 h
 * (SPEC §3 "Idempotency-Key"). Rows are picked through the expiry index; expiry is judged by
 * PostgreSQL's {@code now()}, as the lookup judges it, and checked again on the row (a record
 * refreshed meanwhile by a new request under an expired key no longer matches).
 */
public final class IdempotencySweeper {

  private IdempotencySweeper() {}

  public static ExpirySweeper create(Vertx vertx, Pool pool, int batch) {
    return new ExpirySweeper(vertx, pool, "expired idempotency records", """
        DELETE FROM idempotency_records r
         USING (SELECT api_key_id, idempotency_key FROM idempotency_records
                 WHERE expires_at < now() ORDER BY expires_at LIMIT $1) d
         WHERE r.api_key_id = d.api_key_id AND r.idempotency_key = d.idempotency_key
           AND r.expires_at < now()""", batch);
  }
}

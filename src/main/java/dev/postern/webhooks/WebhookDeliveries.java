package dev.postern.webhooks;

import dev.postern.keys.Sealed;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code webhook_deliveries} / {@code webhook_attempts} tables: one delivery row per
 * (event, subscribed webhook), claimed by one node at a time with {@code FOR UPDATE SKIP LOCKED}
 * and a lease; an expired lease (a dead node) makes the row claimable again. Every attempt is a
 * {@code webhook_attempts} row. Each operation is one statement (one round trip).
 */
final class WebhookDeliveries {

  /** A claimed delivery with what sending it needs. */
  record Claimed(UUID id, UUID webhookId, String eventType, JsonObject payload, int attempt,
      String url, Sealed secret, boolean webhookDisabled) {}

  /** One attempt's outcome; {@code responseCode} null when no response arrived. */
  record Attempt(Integer responseCode, String error, long durationMillis) {
    boolean succeeded() {
      return responseCode != null && responseCode >= 200 && responseCode < 300;
    }
  }

  private static final String INSERT = """
      WITH inserted AS (
        INSERT INTO webhook_deliveries (id, webhook_id, event_type, payload)
        SELECT gen_random_uuid(), w.id, $1, $2::jsonb FROM webhooks w
         WHERE w.disabled_at IS NULL
           AND ($1 = ANY (w.events) OR '*' = ANY (w.events))
           AND (w.domain_id IS NULL OR w.domain_id = $3)
        RETURNING id)
      SELECT count(*) AS n, (SELECT pg_notify('%s', '') FROM inserted LIMIT 1)::text AS notified
        FROM inserted""".formatted(WebhookDispatcher.CHANNEL);

  private static final String CLAIM = """
      WITH due AS (
        SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= now()
           AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_attempt_at
         LIMIT $3
         FOR UPDATE SKIP LOCKED)
      UPDATE webhook_deliveries d
         SET lease_owner = $1, lease_until = now() + make_interval(secs => $2),
             attempts = d.attempts + 1
        FROM due, webhooks w
       WHERE d.id = due.id AND w.id = d.webhook_id
      RETURNING d.id, d.webhook_id, d.event_type, d.payload, d.attempts, w.url, w.secret_sealed,
                w.secret_salt, w.master_version, w.disabled_at IS NOT NULL AS disabled""";

  /** Records the attempt and settles the row, only if this node still holds the lease. */
  private static final String COMPLETE = """
      WITH attempt AS (
        INSERT INTO webhook_attempts (delivery_id, response_code, error, duration_ms)
        VALUES ($1, $3, $4, $5))
      UPDATE webhook_deliveries
         SET status = CASE WHEN $6 THEN 'delivered'
                           WHEN $9 OR attempts >= $7
                             OR created_at < now() - make_interval(secs => $8) THEN 'failed'
                           ELSE 'pending' END,
             delivered_at = CASE WHEN $6 THEN now() END,
             next_attempt_at = CASE WHEN $6 THEN next_attempt_at
                                    ELSE now() + make_interval(secs => $10) END,
             lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2
      RETURNING status""";

  /** On graceful stop: claims not started go back, their attempt not counted. */
  private static final String RELEASE = """
      UPDATE webhook_deliveries
         SET lease_owner = NULL, lease_until = NULL, attempts = greatest(attempts - 1, 0)
       WHERE lease_owner = $1 AND status = 'pending'""";

  private final Pool pool;

  WebhookDeliveries(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  /** Inserts the deliveries for one event and NOTIFYs (at commit); the number inserted. */
  Future<Integer> insert(SqlClient client, String type, UUID domainId, JsonObject payload) {
    return client.preparedQuery(INSERT).execute(Tuple.of(type, payload, domainId))
        .map(rows -> rows.iterator().next().getLong("n").intValue());
  }

  Future<List<Claimed>> claim(String owner, Duration lease, int limit) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(owner, lease.toMillis() / 1000.0, limit))
        .map(rows -> {
          List<Claimed> claimed = new ArrayList<>(rows.size());
          for (Row row : rows) {
            claimed.add(new Claimed(row.getUUID("id"), row.getUUID("webhook_id"),
                row.getString("event_type"), row.getJsonObject("payload"),
                row.getInteger("attempts"), row.getString("url"),
                new Sealed(row.getBuffer("secret_salt").getBytes(),
                    row.getBuffer("secret_sealed").getBytes(), row.getInteger("master_version")),
                row.getBoolean("disabled")));
          }
          return claimed;
        });
  }

  /**
   * @param giveUp fail now whatever the attempt count (e.g. the webhook was disabled)
   * @return the row's new status, or null if the lease was lost meanwhile
   */
  Future<String> complete(Claimed delivery, String owner, Attempt attempt, boolean giveUp,
      WebhookSettings settings, Duration retryDelay) {
    Tuple args = Tuple.of(delivery.id(), owner, attempt.responseCode(), attempt.error(),
            (int) Math.min(Integer.MAX_VALUE, attempt.durationMillis()), attempt.succeeded())
        .addValue(settings.maxAttempts())
        .addValue(settings.horizon().toMillis() / 1000.0)
        .addValue(giveUp)
        .addValue(retryDelay.toMillis() / 1000.0);
    return pool.preparedQuery(COMPLETE).execute(args)
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("status"));
  }

  Future<Integer> release(String owner) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(owner)).map(rows -> rows.rowCount());
  }
}

package dev.postern.webhooks;

import dev.postern.keys.Sealed;
import dev.postern.queue.PgWorkQueue;
import dev.postern.queue.WorkQueue;
import dev.postern.queue.WorkState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The {@link WorkQueue} of webhook deliveries over the {@code webhook_deliveries} /
 * {@code webhook_attempts} tables: one delivery row per (event, subscribed webhook), leased
 * as every {@link PgWorkQueue} (an expired lease, a dead node's, makes it claimable again). The
 * attempt is counted when the row is claimed; every attempt is a {@code webhook_attempts} row.
 * Each operation is one statement (one round trip).
 */
public final class WebhookDeliveries extends PgWorkQueue<WebhookDeliveries.Claimed> {

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

  /** As {@link #INSERT} for many events of one type at once: $2 payloads, $3 their domains. */
  private static final String INSERT_ALL = """
      WITH inserted AS (
        INSERT INTO webhook_deliveries (id, webhook_id, event_type, payload)
        SELECT gen_random_uuid(), w.id, $1, e.payload::jsonb
          FROM unnest($2::text[], $3::uuid[]) WITH ORDINALITY AS e(payload, domain_id, n)
          JOIN webhooks w ON w.disabled_at IS NULL
                         AND ($1 = ANY (w.events) OR '*' = ANY (w.events))
                         AND (w.domain_id IS NULL OR w.domain_id = e.domain_id)
         ORDER BY e.n
        RETURNING id)
      SELECT count(*) AS n, (SELECT pg_notify('%s', '') FROM inserted LIMIT 1)::text AS notified
        FROM inserted""".formatted(WebhookDispatcher.CHANNEL);

  static final Table TABLE = new Table("webhook_deliveries", "id",
      "next_attempt_at", "status = 'pending'",
      ", attempts = q.attempts + 1", ", attempts = greatest(q.attempts - 1, 0)");

  /** The claimed deliveries with their webhooks, over the {@code claimed} step. */
  private static final String READ_CLAIMED = """
      SELECT c.id, c.webhook_id, c.event_type, c.payload, c.attempts, w.url, w.secret_sealed,
             w.secret_salt, w.master_version, w.disabled_at IS NOT NULL AS disabled
        FROM claimed c JOIN webhooks w ON w.id = c.webhook_id""";

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

  /** @param owner this node's lease owner name, unique among live nodes */
  public WebhookDeliveries(Pool pool, String owner) {
    super(pool, owner, TABLE, READ_CLAIMED);
  }


  /** Inserts the deliveries for one event and NOTIFYs (at commit); the number inserted. */
  Future<Integer> insert(SqlClient client, String type, UUID domainId, JsonObject payload) {
    return client.preparedQuery(INSERT).execute(Tuple.of(type, payload, domainId))
        .map(rows -> rows.iterator().next().getLong("n").intValue());
  }

  /** As {@link #insert} for many events of one type, one statement; the number inserted. */
  Future<Integer> insertAll(SqlClient client, String type, List<UUID> domainIds,
      List<JsonObject> payloads) {
    return client.preparedQuery(INSERT_ALL).execute(Tuple.of(type)
            .addValue(payloads.stream().map(JsonObject::encode).toArray(String[]::new))
            .addValue(domainIds.toArray(UUID[]::new)))
        .map(rows -> rows.iterator().next().getLong("n").intValue());
  }

  @Override
  public UUID idOf(Claimed delivery) {
    return delivery.id();
  }

  @Override
  protected Claimed read(Row row) {
    return new Claimed(row.getUUID("id"), row.getUUID("webhook_id"), row.getString("event_type"),
        row.getJsonObject("payload"), row.getInteger("attempts"), row.getString("url"),
        new Sealed(row.getBuffer("secret_salt").getBytes(), row.getBuffer("secret_sealed").getBytes(),
            row.getInteger("master_version")),
        row.getBoolean("disabled"));
  }

  /**
   * @param giveUp fail now whatever the attempt count (e.g. the webhook was disabled)
   * @return the row's new state, or null if the lease was lost meanwhile
   */
  Future<WorkState> complete(Claimed delivery, Attempt attempt, boolean giveUp,
      WebhookSettings settings, Duration retryDelay) {
    Tuple args = Tuple.of(delivery.id(), owner(), attempt.responseCode(), attempt.error(),
            (int) Math.min(Integer.MAX_VALUE, attempt.durationMillis()), attempt.succeeded())
        .addValue(settings.maxAttempts())
        .addValue(settings.horizon().toMillis() / 1000.0)
        .addValue(giveUp)
        .addValue(retryDelay.toMillis() / 1000.0);
    return pool().preparedQuery(COMPLETE).execute(args)
        .map(rows -> rows.size() == 0 ? null : WorkState.fromWire(rows.iterator().next().getString("status")));
  }
}

package dev.postern.webhooks;

import dev.postern.delivery.DeliveryListener;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns delivery outcomes into webhook events (SPEC §6) with Resend's data shape: {@code email_id,
 * from, to, subject, created_at}, plus the recipient and the relay's reply. A message that ran out
 * of retries is reported as {@code email.bounced} (the event set has no separate "failed").
 */
public final class DeliveryWebhooks implements DeliveryListener {

  private static final Logger log = LoggerFactory.getLogger(DeliveryWebhooks.class);

  private final Pool pool;
  /** How long the set of subscribed event types is trusted before it is read again. */
  private final long subscriptionsTtlMs;
  private final WebhookDispatcher dispatcher;
  private final Clock clock;
  private volatile java.util.Set<String> subscribed = java.util.Set.of();
  private volatile long subscribedAt; // 0: never read, so the first event reads

  /** @param subscriptionsTtl how long a read of the subscribed event types is used */
  public DeliveryWebhooks(Pool pool, WebhookDispatcher dispatcher, Clock clock,
      java.time.Duration subscriptionsTtl) {
    this.pool = pool;
    this.subscriptionsTtlMs = subscriptionsTtl.toMillis();
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  /**
   * The event types some active webhook subscribes to ({@code *} stands for all), re-read at most
   * once per {@code webhooks.subscriptions_ttl_ms}: without a subscriber an event costs no query at all, which matters at
   * thousands of deliveries a second. A webhook created a moment ago may miss events for up to
   * that interval.
   */
  private io.vertx.core.Future<java.util.Set<String>> subscriptions() {
    long now = clock.millis();
    if (subscribedAt != 0 && now - subscribedAt < subscriptionsTtlMs) {
      return io.vertx.core.Future.succeededFuture(subscribed);
    }
    return pool.query("SELECT DISTINCT unnest(events) FROM webhooks WHERE disabled_at IS NULL").execute()
        .map(rows -> {
          java.util.Set<String> types = new java.util.HashSet<>();
          rows.forEach(row -> types.add(row.getString(0)));
          subscribed = java.util.Set.copyOf(types);
          subscribedAt = now;
          return subscribed;
        });
  }

  @Override
  public void onEvent(String type, UUID messageId, String recipient, String reply) {
    String event = "email.failed".equals(type) ? WebhookEvents.EMAIL_BOUNCED : type;
    if (!WebhookEvents.TYPES.contains(event)) {
      return;
    }
    subscriptions()
        .compose(types -> types.contains(event) || types.contains(WebhookEvents.ALL)
            ? record(event, messageId, recipient, reply) : io.vertx.core.Future.succeededFuture())
        .onFailure(e -> log.warn("webhook event {} for {} not recorded: {}", event, messageId, e.getMessage()));
  }

  private io.vertx.core.Future<Void> record(String event, UUID messageId, String recipient, String reply) {
    return pool.preparedQuery("""
            SELECT domain_id, from_header, to_addresses, subject, created_at
              FROM outbound_messages WHERE id = $1""")
        .execute(Tuple.of(messageId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return io.vertx.core.Future.succeededFuture();
          }
          Row row = rows.iterator().next();
          JsonObject data = new JsonObject()
              .put("email_id", messageId.toString())
              .put("from", row.getString("from_header"))
              .put("to", new JsonArray(List.of(row.getArrayOfStrings("to_addresses"))))
              .put("subject", row.getString("subject"))
              .put("created_at", row.getOffsetDateTime("created_at").toInstant().toString());
          if (recipient != null) {
            data.put("recipient", recipient);
          }
          if (reply != null) {
            data.put("reply", reply);
          }
          return dispatcher.emit(event, row.getUUID("domain_id"), data);
        });
  }
}

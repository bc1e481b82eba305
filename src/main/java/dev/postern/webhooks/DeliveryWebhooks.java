package dev.postern.webhooks;

import dev.postern.delivery.DeliveryListener;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
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
  private final WebhookDispatcher dispatcher;

  public DeliveryWebhooks(Pool pool, WebhookDispatcher dispatcher) {
    this.pool = pool;
    this.dispatcher = dispatcher;
  }

  @Override
  public void onEvent(String type, UUID messageId, String recipient, String reply) {
    String event = "email.failed".equals(type) ? WebhookEvents.EMAIL_BOUNCED : type;
    if (!WebhookEvents.TYPES.contains(event)) {
      return;
    }
    pool.preparedQuery("""
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
        })
        .onFailure(e -> log.warn("webhook event {} for {} not recorded: {}", event, messageId, e.getMessage()));
  }
}

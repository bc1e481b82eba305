package dev.postern.webhooks;

import dev.postern.queue.ClaimLoop;
import dev.postern.queue.WorkState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per node: a {@link ClaimLoop} over the webhook deliveries that sends each claimed delivery
 * (at most {@code concurrency} at a time) and settles it. Woken by {@link #wake()} (NOTIFY on
 * {@link WebhookDispatcher#CHANNEL}, a local emit) and by the loop's polling backstop, which also
 * picks up due retries. Nothing here blocks (the secret is opened on the CPU worker by
 * {@link WebhookSecrets}).
 *
 * <p>Stop: no new claims; in-flight sends finish (bounded by the request timeout); claims not
 * started are released. A node that dies instead leaves leases that expire, and another node
 * delivers (at-least-once: a send cut off after the receiver answered is sent again, with the
 * same {@code webhook-id} so the receiver can drop the duplicate).
 */
final class WebhookDeliveryVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WebhookDeliveryVerticle.class);

  private final WebhookDeliveries deliveries;
  private final WebhookSecrets secrets;
  private final WebhookSettings settings;
  private final Clock clock;
  private WebhookSender sender;
  private volatile ClaimLoop<WebhookDeliveries.Claimed> loop;

  WebhookDeliveryVerticle(WebhookDeliveries deliveries, WebhookSecrets secrets,
      WebhookSettings settings, Clock clock) {
    this.deliveries = deliveries;
    this.secrets = secrets;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    sender = new WebhookSender(vertx, settings);
    loop = new ClaimLoop<>(vertx, "webhooks", deliveries, this::attempt, new ClaimLoop.Settings(
        settings.concurrency(), settings.batchSize(), settings.lease(), settings.pollInterval()));
    loop.start();
    return Future.succeededFuture();
  }

  /** Thread-safe: asks the loop to look for due deliveries now (ignored before start). */
  void wake() {
    ClaimLoop<WebhookDeliveries.Claimed> current = loop;
    if (current != null) {
      current.wake();
    }
  }

  private Future<Duration> attempt(WebhookDeliveries.Claimed delivery) {
    if (delivery.webhookDisabled()) {
      return settle(delivery, new WebhookDeliveries.Attempt(null, "webhook disabled", 0), true);
    }
    Buffer body = delivery.payload().toBuffer();
    String messageId = "msg_" + delivery.id();
    return secrets.signer(delivery.webhookId(), delivery.secret())
        .transform(signer -> {
          if (signer.failed()) {
            return Future.succeededFuture(new WebhookDeliveries.Attempt(null,
                "webhook secret cannot be opened", 0));
          }
          long timestamp = clock.instant().getEpochSecond();
          return sender.post(delivery.url(), body, Map.of(
              StandardWebhookSignature.ID_HEADER, messageId,
              StandardWebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp),
              StandardWebhookSignature.SIGNATURE_HEADER,
              signer.result().sign(messageId, timestamp, body.getBytes())));
        })
        .compose(attempt -> settle(delivery, attempt, false));
  }

  /** @return the retry delay when the delivery is pending again (the loop wakes for it), else null */
  private Future<Duration> settle(WebhookDeliveries.Claimed delivery,
      WebhookDeliveries.Attempt attempt, boolean giveUp) {
    Duration retry = settings.retryDelay(delivery.attempt(), ThreadLocalRandom.current().nextDouble());
    return deliveries.complete(delivery, attempt, giveUp, settings, retry)
        .map(state -> {
          if (state == null) {
            log.warn("webhook delivery {}: lease lost before the result was recorded", delivery.id());
            return null;
          }
          if (state == WorkState.FAILED) {
            log.warn("webhook delivery {} ({}) failed after {} attempts: {}", delivery.id(),
                delivery.eventType(), delivery.attempt(), attempt.error());
          } else if (state == WorkState.PENDING) {
            log.info("webhook delivery {} attempt {} failed ({}); retry in {} ms", delivery.id(),
                delivery.attempt(), attempt.error(), retry.toMillis());
            return retry;
          }
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    return loop.drain(settings.requestTimeout().plusSeconds(5))
        .compose(v -> sender.close());
  }
}

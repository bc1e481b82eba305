package dev.postern.webhooks;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per node: claims due deliveries, sends them (at most {@code concurrency} at a time) and
 * settles each. Woken by {@link #wake()} (NOTIFY on {@link WebhookDispatcher#CHANNEL}, a local
 * emit, a finished send) and by a polling backstop that also picks up due retries. All state is
 * confined to this verticle's event loop; nothing here blocks (the secret is opened on the CPU
 * worker by {@link WebhookSecrets}).
 *
 * <p>Stop: no new claims; in-flight sends finish (bounded by the request timeout); claims not
 * started are released. A node that dies instead leaves leases that expire, and another node
 * delivers (at-least-once: a send cut off after the receiver answered is sent again, with the
 * same {@code webhook-id} so the receiver can drop the duplicate).
 */
final class WebhookDeliveryLoop extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(WebhookDeliveryLoop.class);

  private final WebhookDeliveries deliveries;
  private final WebhookSecrets secrets;
  private final WebhookSettings settings;
  private final Clock clock;
  private final String owner;
  private WebhookSender sender;
  private long pollTimer = -1;
  private int inFlight;
  private boolean claiming;
  private boolean wakeAgain;
  private boolean stopping;
  private Promise<Void> drained;

  WebhookDeliveryLoop(WebhookDeliveries deliveries, WebhookSecrets secrets,
      WebhookSettings settings, Clock clock, String owner) {
    this.deliveries = deliveries;
    this.secrets = secrets;
    this.settings = settings;
    this.clock = clock;
    this.owner = owner;
  }

  @Override
  public Future<?> start() {
    sender = new WebhookSender(vertx, settings);
    pollTimer = vertx.setPeriodic(settings.pollInterval().toMillis(), t -> claimDue());
    claimDue();
    return Future.succeededFuture();
  }

  /** Thread-safe: asks the loop to look for due deliveries now. */
  void wake() {
    Context ctx = context;
    if (ctx != null) {
      ctx.runOnContext(v -> claimDue());
    }
  }

  private void claimDue() {
    if (stopping) {
      return;
    }
    if (claiming) {
      wakeAgain = true;
      return;
    }
    int free = Math.min(settings.batchSize(), settings.concurrency() - inFlight);
    if (free <= 0) {
      return; // a finishing send wakes the loop again
    }
    claiming = true;
    wakeAgain = false;
    deliveries.claim(owner, settings.lease(), free).onComplete(result -> {
      claiming = false;
      if (result.failed()) {
        log.warn("webhook claim failed: {}", WebhookSender.describe(result.cause()));
        return; // the poll retries
      }
      List<WebhookDeliveries.Claimed> claimed = result.result();
      claimed.forEach(this::deliver);
      if (claimed.size() == free || wakeAgain) {
        claimDue();
      }
    });
  }

  private void deliver(WebhookDeliveries.Claimed delivery) {
    inFlight++;
    attempt(delivery)
        .onFailure(e -> log.warn("webhook delivery {} not settled: {}", delivery.id(),
            WebhookSender.describe(e)))
        .onComplete(v -> {
          inFlight--;
          if (stopping) {
            if (inFlight == 0 && drained != null) {
              drained.tryComplete();
            }
          } else {
            claimDue();
          }
        });
  }

  private Future<Void> attempt(WebhookDeliveries.Claimed delivery) {
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

  private Future<Void> settle(WebhookDeliveries.Claimed delivery,
      WebhookDeliveries.Attempt attempt, boolean giveUp) {
    Duration retry = settings.retryDelay(delivery.attempt(), ThreadLocalRandom.current().nextDouble());
    return deliveries.complete(delivery, owner, attempt, giveUp, settings, retry)
        .map(status -> {
          if ("failed".equals(status)) {
            log.warn("webhook delivery {} ({}) failed after {} attempts: {}", delivery.id(),
                delivery.eventType(), delivery.attempt(), attempt.error());
          } else if ("pending".equals(status)) {
            log.info("webhook delivery {} attempt {} failed ({}); retry in {} ms", delivery.id(),
                delivery.attempt(), attempt.error(), retry.toMillis());
            // Retries sooner than the poll would find them are woken here.
            if (retry.compareTo(settings.pollInterval()) < 0) {
              vertx.setTimer(retry.toMillis(), t -> claimDue());
            }
          } else if (status == null) {
            log.warn("webhook delivery {}: lease lost before the result was recorded", delivery.id());
          }
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    drained = Promise.promise();
    if (inFlight == 0) {
      drained.tryComplete();
    }
    long grace = settings.requestTimeout().toMillis() + 5_000;
    long guard = vertx.setTimer(grace, t -> drained.tryComplete());
    return drained.future()
        .compose(v -> {
          vertx.cancelTimer(guard);
          return deliveries.release(owner);
        })
        .recover(e -> {
          log.warn("webhook leases not released (they expire): {}", WebhookSender.describe(e));
          return Future.succeededFuture(0);
        })
        .compose(v -> sender.close());
  }
}

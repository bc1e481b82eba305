package dev.postern.delivery;

import dev.postern.blob.BlobStore;
import dev.postern.db.DatabaseFailures;
import dev.postern.delivery.smtp.Verdict;
import dev.postern.queue.Claim;
import dev.postern.queue.OutboundQueue;
import dev.postern.queue.RetryPolicy;
import dev.postern.queue.Settlement;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt for one claimed message, as named steps: sandbox check → local delivery of
 * scheduled mail ({@link ClaimedLocalDelivery}) → signature header → relays (with failover) →
 * outcome → settle → listener.
 */
final class DeliveryService {

  private static final Logger log = LoggerFactory.getLogger(DeliveryService.class);

  private final OutboundQueue queue;
  private final RelayRouter router;
  private final BlobStore blobs;
  private final MessageSigner signer;
  private final DeliveryListener listener;
  private final RetryPolicy retries;
  private final Clock clock;
  private final Vertx vertx;
  private final Duration settleWindow;
  private final ClaimedLocalDelivery local;

  private static final long FIRST_SETTLE_RETRY_MS = 100;
  private static final long MAX_SETTLE_RETRY_MS = 2_000;

  /**
   * @param settleWindow how long an outcome's write is retried after a failure other than the
   *     database being unreachable (that one is retried until the database is back)
   */
  DeliveryService(Vertx vertx, OutboundQueue queue, RelayRouter router, BlobStore blobs, MessageSigner signer,
      DeliveryListener listener, RetryPolicy retries, Clock clock, Duration settleWindow,
      ClaimedLocalDelivery local) {
    this.vertx = vertx;
    this.local = local;
    this.settleWindow = settleWindow;
    this.queue = queue;
    this.router = router;
    this.blobs = blobs;
    this.signer = signer;
    this.listener = listener;
    this.retries = retries;
    this.clock = clock;
  }

  /** @return how soon the message is due again (its retry), or null when it is finished */
  Future<Duration> deliver(Claim claim) {
    // Defence in depth: the send path gives test-mode mail no queue row, but never relay it.
    Future<Settlement> settlement = claim.sandbox()
        ? Future.succeededFuture(DeliveryOutcome.sandboxed(claim))
        : claim.scheduled() ? routedAttempt(claim)
        : attempt(claim, claim.pendingRecipients())
            .map(a -> DeliveryOutcome.of(claim, a, retries, clock.instant()));
    return settlement
        .compose(s -> settleRetrying(s, System.nanoTime() + settleWindow.toNanos(), FIRST_SETTLE_RETRY_MS)
            .map(held -> {
          if (!held) {
            log.warn("lease on message {} was lost before its outcome was written", claim.messageId());
          }
          notifyListener(claim, s);
          return held ? s.retryIn() : null;
        }));
  }

  /**
   * Writes the outcome, retrying while the database is unreachable: the attempt happened (a relay
   * may have taken the message), so giving it up would let the lease expire and the message go
   * out again (the PostgreSQL restart runs of issue #15 saw 406 duplicates for 516 messages).
   * While the database cannot be reached ({@link DatabaseFailures#isUnavailable}) the write is
   * retried for as long as the outage lasts — nobody can claim the message meanwhile, and once
   * the database is back this node's claim loops will not start it again while it is in hand —
   * doubling from 100 ms to 2 s; any other failure is retried for up to {@code settleWindow}
   * (twice the lease). An outcome whose first write did commit unseen is written again as events
   * (the queue row is gone, so the second write reports the lease lost): a repeated event is the
   * lesser harm.
   */
  private Future<Boolean> settleRetrying(Settlement s, long deadline, long delayMs) {
    return queue.settle(s).recover(e -> {
      if (!DatabaseFailures.isUnavailable(e) && System.nanoTime() + delayMs * 1_000_000 > deadline) {
        return Future.failedFuture(e);
      }
      if (delayMs == FIRST_SETTLE_RETRY_MS) {
        log.info("outcome of message {} not written ({}); retrying", s.messageId(), e.getMessage());
      }
      Promise<Boolean> again = Promise.promise();
      vertx.setTimer(delayMs, t -> settleRetrying(s, deadline, Math.min(delayMs * 2, MAX_SETTLE_RETRY_MS))
          .onComplete(again));
      return again.future();
    });
  }

  /**
   * Scheduled mail, routed now as live mail is at accept: hosted recipients filed and settled
   * here, the rest relayed. With no relay, mail for hosted recipients only is delivered all the
   * same (nothing is left for a relay). Routing or filing trouble defers every pending recipient
   * (the next attempt routes again; copies already made are not made twice).
   */
  private Future<Settlement> routedAttempt(Claim claim) {
    return local.route(claim)
        .compose(routed -> attempt(claim, routed.remote()).map(a ->
            DeliveryOutcome.of(claim, routed.settled(), a, retries, clock.instant())))
        .recover(e -> {
          log.warn("local delivery of {} failed: {}", claim.messageId(), e.toString());
          return Future.succeededFuture(DeliveryOutcome.of(claim, RelayAttempt.allFailed(null,
              claim.pendingRecipients(), Verdict.TRANSIENT, "local error (details in the server log)"),
              retries, clock.instant()));
        });
  }

  private Future<RelayAttempt> attempt(Claim claim, List<String> recipients) {
    if (recipients.isEmpty()) {
      return Future.succeededFuture(new RelayAttempt(null, List.of(), false, null));
    }
    StoredMime mime = new StoredMime(claim, blobs);
    if (!router.hasRelays()) {
      // Nothing will be relayed: don't spend an RSA signature (milliseconds of CPU) on it.
      return router.deliver(claim.envelopeFrom(), recipients, mime);
    }
    return signer.headerFor(claim, mime)
        .recover(e -> Future.failedFuture(new IllegalStateException("signing failed: " + e.getMessage())))
        .compose(head -> router.deliver(claim.envelopeFrom(), recipients, mime.withHead(head)))
        .recover(e -> {
          // Signing or blob store trouble: the detail is for operators only (issue #15.7).
          log.warn("delivery of {} failed locally: {}", claim.messageId(), e.getMessage());
          return Future.succeededFuture(RelayAttempt.allFailed(null, recipients,
              Verdict.TRANSIENT, "local error (details in the server log)"));
        });
  }

  private void notifyListener(Claim claim, Settlement s) {
    for (Settlement.Event e : s.events()) {
      try {
        listener.onEvent("email." + e.type(), claim.messageId(), e.recipient(), e.reply());
      } catch (RuntimeException ex) {
        log.warn("delivery listener failed on {}: {}", e.type(), ex.toString());
      }
    }
  }
}

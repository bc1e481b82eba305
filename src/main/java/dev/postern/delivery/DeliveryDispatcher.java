package dev.postern.delivery;

import dev.postern.queue.Claim;
import dev.postern.queue.OutboundQueue;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop of one delivery verticle. Wake-ups (event bus, NOTIFY, the backstop poll, the
 * next due row) coalesce: at most one claim query runs at a time, and it asks for no more rows
 * than there are free delivery slots. Leases of rows in hand are renewed every third of the
 * lease. Confined to one event loop.
 */
final class DeliveryDispatcher {

  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);

  private final Vertx vertx;
  private final OutboundQueue queue;
  private final DeliveryService service;
  private final int capacity;
  private final Duration lease;
  private final Duration poll;
  private final Set<UUID> inFlight = new HashSet<>();
  private boolean claiming;
  private boolean wakeAgain;
  private boolean stopping;
  private long pollTimer = -1;
  private long renewTimer = -1;
  private long dueTimer = -1;
  private Promise<Void> drained;

  DeliveryDispatcher(Vertx vertx, OutboundQueue queue, DeliveryService service, int capacity,
      Duration lease, Duration poll) {
    this.vertx = vertx;
    this.queue = queue;
    this.service = service;
    this.capacity = Math.max(1, capacity);
    this.lease = lease;
    this.poll = poll;
  }

  void start() {
    pollTimer = vertx.setPeriodic(poll.toMillis(), t -> wake());
    renewTimer = vertx.setPeriodic(Math.max(500, lease.toMillis() / 3), t -> renew());
    wake();
  }

  void wake() {
    if (stopping) {
      return;
    }
    if (claiming || inFlight.size() >= capacity) {
      wakeAgain = true;
      return;
    }
    claiming = true;
    wakeAgain = false;
    int free = capacity - inFlight.size();
    queue.claim(free, lease)
        .compose(claims -> stopping ? releaseUnstarted(claims) : Future.succeededFuture(claims))
        .onSuccess(claims -> {
          claims.forEach(this::start);
          if (!claims.isEmpty() && claims.size() == free) {
            wakeAgain = true; // probably more due: claim again as slots free up
          } else if (!wakeAgain) {
            armDueTimer();
          }
        })
        .onFailure(e -> log.warn("claiming queue rows failed: {}", e.getMessage()))
        .onComplete(r -> {
          claiming = false;
          if (stopping) {
            if (inFlight.isEmpty() && drained != null) {
              drained.tryComplete();
            }
          } else if (wakeAgain && inFlight.size() < capacity) {
            wake();
          }
        });
  }

  /** Shutdown began while claiming: give the rows straight back, unattempted. */
  private Future<List<Claim>> releaseUnstarted(List<Claim> claims) {
    return queue.release(claims.stream().map(Claim::messageId).toList())
        .recover(e -> {
          log.warn("releasing {} claims failed: {}; their leases will expire", claims.size(), e.getMessage());
          return Future.succeededFuture();
        })
        .map(v -> List.of());
  }

  private void start(Claim claim) {
    inFlight.add(claim.messageId());
    service.deliver(claim).onComplete(r -> {
      inFlight.remove(claim.messageId());
      if (stopping) {
        if (inFlight.isEmpty() && drained != null) {
          drained.tryComplete();
        }
      } else if (wakeAgain && capacity - inFlight.size() >= Math.max(1, capacity / 4)) {
        wake(); // batch claims: wait until a quarter of the slots are free
      }
    });
  }

  /** Scheduled mail and retries: wake exactly when the next row falls due, if before the poll. */
  private void armDueTimer() {
    queue.nextDue().onSuccess(due -> {
      if (due == null || due.compareTo(poll) >= 0 || stopping) {
        return;
      }
      if (dueTimer >= 0) {
        vertx.cancelTimer(dueTimer);
      }
      dueTimer = vertx.setTimer(Math.max(1, due.toMillis() + 5), t -> {
        dueTimer = -1;
        wake();
      });
    });
  }

  private void renew() {
    if (!inFlight.isEmpty()) {
      queue.renew(List.copyOf(inFlight), lease)
          .onFailure(e -> log.warn("renewing {} leases failed: {}", inFlight.size(), e.getMessage()));
    }
  }

  /**
   * Stops claiming and waits up to {@code grace} for deliveries in hand to finish. Rows still
   * in hand after that keep their lease, which expires so another node retries them.
   */
  Future<Void> drain(Duration grace) {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(dueTimer);
    drained = Promise.promise();
    if (inFlight.isEmpty() && !claiming) {
      drained.tryComplete();
    }
    long timer = vertx.setTimer(Math.max(1, grace.toMillis()), t -> {
      if (!inFlight.isEmpty()) {
        log.warn("{} deliveries still running after the shutdown grace; their leases will expire",
            inFlight.size());
      }
      drained.tryComplete();
    });
    return drained.future().onComplete(r -> {
      vertx.cancelTimer(timer);
      vertx.cancelTimer(renewTimer);
    });
  }
}

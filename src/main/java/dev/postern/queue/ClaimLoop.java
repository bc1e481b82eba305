package dev.postern.queue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one claim loop, for any {@link WorkQueue}: claims due work and runs at most
 * {@code capacity} items at a time. Wake-ups (event bus, NOTIFY, the backstop poll, the next due
 * row or lease expiry, a retry due before the poll) coalesce: at most one claim query runs at a time, and it asks
 * for no more rows than there are free slots (and at most {@code batch}). Leases of items in hand
 * are renewed every third of the lease. Confined to the event loop it was built on;
 * {@link #wake()} may be called from anywhere.
 *
 * <p>Stop ({@link #drain}): no new claims, rows claimed meanwhile go back unattempted, items in
 * hand may finish within the grace. Items still running after it keep their lease, which expires
 * so another node takes them over: never released while a worker may still act on them.
 */
public final class ClaimLoop<W> {

  /** Does one item's work and settles it; never needs to fail (failures are logged). */
  @FunctionalInterface
  public interface Worker<W> {
    /** @return how soon the item is due again, or null when it is finished or not soon */
    Future<Duration> work(W item);
  }

  /**
   * @param capacity items in hand at most
   * @param batch rows per claim at most
   * @param lease how long a claim holds before another node may take it over
   * @param poll backstop: look for due work at least this often
   * @param refill while more work is due, how many slots must be free before the next claim
   *     (fewer, larger claims; at least 1, at most a batch)
   */
  public record Settings(int capacity, int batch, Duration lease, Duration poll, int refill) {
    public Settings {
      capacity = Math.max(1, capacity);
      batch = Math.max(1, batch);
      refill = Math.max(1, Math.min(refill, Math.min(batch, capacity)));
    }

    /** Claims again once a quarter of the slots (or a batch) are free. */
    public Settings(int capacity, int batch, Duration lease, Duration poll) {
      this(capacity, batch, lease, poll, Math.min(batch, capacity / 4));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

  private final Vertx vertx;
  private final Context context;
  private final String name;
  private final WorkQueue<W> queue;
  private final Worker<W> worker;
  private final Settings settings;
  private final Set<UUID> inFlight = new HashSet<>();
  private final Set<UUID> nodeInHand;
  private boolean claiming;
  private boolean wakeAgain;
  private boolean stopping;
  private long pollTimer = -1;
  private long renewTimer = -1;
  private long dueTimer = -1;
  private long dueTimerAt;
  private Promise<Void> drained;

  /** Built on the event loop it will run on. @param name for the logs, e.g. "delivery" */
  public ClaimLoop(Vertx vertx, String name, WorkQueue<W> queue, Worker<W> worker, Settings settings) {
    this(vertx, name, queue, worker, settings, nodeInHand());
  }

  /**
   * One of several loops of this node over the same queue (one per verticle instance).
   *
   * @param nodeInHand the ids in hand in any of them ({@link #nodeInHand()}, shared): leases are
   *     per node, so when one expires while the database is unreachable, a sibling loop may claim
   *     the item anew while another still works on it; the set keeps it from starting twice
   */
  public ClaimLoop(Vertx vertx, String name, WorkQueue<W> queue, Worker<W> worker, Settings settings,
      Set<UUID> nodeInHand) {
    this.nodeInHand = nodeInHand;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.name = name;
    this.queue = queue;
    this.worker = worker;
    this.settings = settings;
  }

  /** A set to share among the loops of one node over one queue; thread-safe. */
  public static Set<UUID> nodeInHand() {
    return ConcurrentHashMap.newKeySet();
  }

  public void start() {
    pollTimer = vertx.setPeriodic(settings.poll().toMillis(), t -> wake());
    renewTimer = vertx.setPeriodic(Math.max(500, settings.lease().toMillis() / 3), t -> renew());
    wake();
  }

  /** Look for due work now. Thread-safe. */
  public void wake() {
    if (Vertx.currentContext() != context) {
      context.runOnContext(v -> wake());
      return;
    }
    if (stopping) {
      return;
    }
    int free = Math.min(settings.batch(), settings.capacity() - inFlight.size());
    if (claiming || free <= 0) {
      wakeAgain = true;
      return;
    }
    claiming = true;
    wakeAgain = false;
    queue.claim(free, settings.lease())
        .compose(claims -> stopping ? releaseUnstarted(claims) : Future.succeededFuture(claims))
        .onSuccess(claims -> {
          claims.forEach(this::begin);
          if (!claims.isEmpty() && claims.size() == free) {
            wakeAgain = true; // probably more due: claim again as slots free up
          } else if (!wakeAgain) {
            armDueTimer();
          }
        })
        .onFailure(e -> log.warn("{}: claiming failed: {}", name, e.getMessage()))
        .onComplete(r -> {
          claiming = false;
          if (stopping) {
            drainedIfIdle();
          } else if (wakeAgain && inFlight.size() < settings.capacity()) {
            wake();
          }
        });
  }

  /** Shutdown began while claiming: give the rows straight back, unattempted. */
  private Future<List<W>> releaseUnstarted(List<W> claims) {
    return queue.release(claims.stream().map(queue::idOf).toList(), Duration.ZERO)
        .recover(e -> {
          log.warn("{}: releasing {} claims failed: {}; their leases will expire", name, claims.size(),
              e.getMessage());
          return Future.succeededFuture();
        })
        .map(v -> List.of());
  }

  private void begin(W item) {
    UUID id = queue.idOf(item);
    if (!nodeInHand.add(id)) {
      // Claimed again while still in hand (here or in a sibling loop): its lease ran out while
      // the database was unreachable (renewals failed) and this node took it anew. One worker
      // per item: the one in hand finishes it, under the new lease.
      log.info("{}: {} claimed again while still in hand; not started twice", name, id);
      return;
    }
    inFlight.add(id);
    Future<Duration> done;
    try {
      done = worker.work(item);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onComplete(r -> {
      inFlight.remove(id);
      nodeInHand.remove(id);
      if (r.failed()) {
        log.warn("{}: work on {} not settled: {} (retried after the lease)", name, id,
            r.cause().getMessage());
      }
      if (stopping) {
        drainedIfIdle();
        return;
      }
      if (r.succeeded()) {
        wakeIn(r.result());
      }
      int free = settings.capacity() - inFlight.size();
      if (wakeAgain && free >= settings.refill()) {
        wake(); // batch claims: wait until enough slots are free
      }
    });
  }

  /**
   * Scheduled work, retries and a dead node's leases: wake exactly when the next row can be
   * claimed, if before the poll.
   */
  private void armDueTimer() {
    queue.nextDue().onSuccess(this::wakeIn);
  }

  private void wakeIn(Duration due) {
    if (due == null || stopping || due.compareTo(settings.poll()) >= 0) {
      return;
    }
    long delay = Math.max(1, due.toMillis() + 5);
    long at = System.nanoTime() / 1_000_000 + delay;
    if (dueTimer >= 0) {
      if (dueTimerAt <= at) {
        return; // an earlier wake-up is armed; its claim re-arms for later rows
      }
      vertx.cancelTimer(dueTimer);
    }
    dueTimerAt = at;
    dueTimer = vertx.setTimer(delay, t -> {
      dueTimer = -1;
      wake();
    });
  }

  private void renew() {
    if (!inFlight.isEmpty()) {
      queue.renew(List.copyOf(inFlight), settings.lease())
          .onFailure(e -> log.warn("{}: renewing {} leases failed: {}", name, inFlight.size(), e.getMessage()));
    }
  }

  private void drainedIfIdle() {
    if (inFlight.isEmpty() && !claiming && drained != null) {
      drained.tryComplete();
    }
  }

  /**
   * Stops claiming and waits up to {@code grace} for the items in hand to finish. Items still in
   * hand after that keep their lease, which expires so another node retries them.
   */
  public Future<Void> drain(Duration grace) {
    stopping = true;
    vertx.cancelTimer(pollTimer);
    vertx.cancelTimer(dueTimer);
    drained = Promise.promise();
    drainedIfIdle();
    long timer = vertx.setTimer(Math.max(1, grace.toMillis()), t -> {
      if (!inFlight.isEmpty()) {
        log.warn("{}: {} items still running after the shutdown grace; their leases will expire",
            name, inFlight.size());
      }
      drained.tryComplete();
    });
    return drained.future().onComplete(r -> {
      vertx.cancelTimer(timer);
      vertx.cancelTimer(renewTimer);
    });
  }
}

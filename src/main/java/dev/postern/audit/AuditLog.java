package dev.postern.audit;

import dev.postern.logging.ThrottledWarning;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batched audit writer (SPEC §3 "Audit": rows are appended without slowing the request).
 *
 * <p>{@link #record} only appends to a bounded lock-free queue: it never blocks, never throws and
 * never fails a request, from any thread. A timer on one event-loop context drains the queue in
 * batches, each written by one multi-row INSERT (one round trip). When the queue is full, new
 * entries are dropped and counted; a batch whose INSERT fails is retried on the next ticks a
 * bounded number of times, then dropped with a warning. Audit never takes the gateway down.
 *
 * <p>All flush state is confined to {@link #context}; only the queue and counters are shared.
 */
public final class AuditLog {

  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  /**
   * @param batchSize rows per INSERT
   * @param flushInterval how often the queue is drained (also the retry pace)
   * @param maxQueued entries held in memory before new ones are dropped
   * @param maxAttempts INSERT attempts per batch before it is dropped
   */
  public record Settings(int batchSize, Duration flushInterval, int maxQueued, int maxAttempts) {
    /**
     * Half a second, up to 2000 rows per INSERT: at a thousand requests a second, two commits a
     * second for the audit trail (issue #11) rather than one per request or five small ones.
     */
    public static Settings defaults() {
      return new Settings(2000, Duration.ofMillis(500), 100_000, 25);
    }
  }

  private final Pool pool;
  private final Settings settings;
  private final Context context;
  private final Queue<AuditEntry> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final ThrottledWarning overflow = new ThrottledWarning(log, Duration.ofSeconds(30));
  private final ThrottledWarning failures = new ThrottledWarning(log, Duration.ofSeconds(30));
  private final ThrottledWarning losses = new ThrottledWarning(log, Duration.ofSeconds(30));
  private volatile boolean closed;
  // Confined to context:
  private long timer = -1;
  private List<AuditEntry> pending;
  private int attempts;
  private boolean flushing;

  public AuditLog(Vertx vertx, Pool pool) {
    this(vertx, pool, Settings.defaults());
  }

  public AuditLog(Vertx vertx, Pool pool, Settings settings) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      if (!closed) {
        timer = vertx.setPeriodic(settings.flushInterval().toMillis(), id -> flush());
      }
    });
  }

  /** Queues one entry for writing. Never blocks, never throws; drops (and counts) when full. */
  public void record(AuditEntry entry) {
    try {
      if (entry == null) {
        return;
      }
      if (closed) {
        dropped.incrementAndGet();
        return;
      }
      int now = queued.incrementAndGet();
      if (now > settings.maxQueued()) {
        queued.decrementAndGet();
        dropped.incrementAndGet();
        overflow.warn("audit queue full; entry dropped", dropped.get() + " dropped in total");
        return;
      }
      queue.add(entry);
      if (now % settings.batchSize() == 0) {
        // A full batch is waiting: write it now rather than at the next tick. At tens of
        // thousands of requests a second, entries held for the whole interval outlived several
        // young collections and were promoted, and the old generation's marking took a fifth of
        // the machine (ping, session 9); written at once, they die young.
        context.runOnContext(v -> flush());
      }
    } catch (RuntimeException e) {
      dropped.incrementAndGet();
    }
  }

  /** Entries dropped so far (queue full, closed, or a batch that failed every attempt). */
  public long dropped() {
    return dropped.get();
  }

  /** Entries written so far. */
  public long written() {
    return written.get();
  }

  /**
   * Stops taking entries, writes everything queued (one attempt per batch: at shutdown a failing
   * database drops the rest at once instead of delaying exit), then stops the timer.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closed = true;
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
      drainForClose(done);
    });
    return done.future();
  }

  private void drainForClose(Promise<Void> done) {
    if (flushing) {
      // A flush is in flight; look again once it has had time to complete.
      context.owner().setTimer(10, id -> drainForClose(done));
      return;
    }
    List<AuditEntry> batch = pending != null ? pending : take();
    pending = null;
    if (batch.isEmpty()) {
      done.complete();
      return;
    }
    flushing = true;
    AuditWriter.insert(pool, batch).onComplete(r -> {
      flushing = false;
      if (r.succeeded()) {
        written.addAndGet(batch.size());
        drainForClose(done);
      } else {
        int lost = batch.size() + queued.getAndSet(0);
        queue.clear();
        dropped.addAndGet(lost);
        log.warn("audit: {} entries dropped at shutdown, database unavailable ({})", lost,
            r.cause().toString());
        done.complete();
      }
    });
  }

  /** One tick: write the pending (retried) batch or the next one; keep going while full batches remain. */
  private void flush() {
    if (flushing || closed) {
      return;
    }
    List<AuditEntry> batch = pending != null ? pending : take();
    if (batch.isEmpty()) {
      return;
    }
    flushing = true;
    AuditWriter.insert(pool, batch).onComplete(r -> {
      flushing = false;
      if (r.succeeded()) {
        written.addAndGet(batch.size());
        pending = null;
        attempts = 0;
        if (queued.get() >= settings.batchSize()) {
          flush();
        }
        return;
      }
      attempts++;
      if (attempts >= settings.maxAttempts()) {
        dropped.addAndGet(batch.size());
        losses.warn("audit: batch dropped after " + attempts + " failed attempts",
            r.cause().toString() + "; " + dropped.get() + " entries dropped in total");
        pending = null;
        attempts = 0;
      } else {
        pending = batch;
        failures.warn("audit: batch write failed, will retry", r.cause().toString());
      }
    });
  }

  private List<AuditEntry> take() {
    List<AuditEntry> batch = new ArrayList<>(Math.min(settings.batchSize(), Math.max(queued.get(), 1)));
    AuditEntry entry;
    while (batch.size() < settings.batchSize() && (entry = queue.poll()) != null) {
      queued.decrementAndGet();
      batch.add(entry);
    }
    return batch;
  }
}

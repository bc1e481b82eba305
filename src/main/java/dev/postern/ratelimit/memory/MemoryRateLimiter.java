package dev.postern.ratelimit.memory;

import dev.postern.ratelimit.Decision;
import dev.postern.ratelimit.HourWindow;
import dev.postern.ratelimit.RateLimiter;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * In-process counters for embedded (single-node) mode. Each update runs inside
 * {@link ConcurrentHashMap#compute}, which holds only that bucket's bin lock for a few
 * instructions, so callers on several event loops never wait on each other for long.
 *
 * <p>Memory stays bounded: the first call in a new hour drops every counter of earlier hours,
 * so buckets that were used once and never again do not accumulate.
 */
public final class MemoryRateLimiter implements RateLimiter {

  /** One bucket's count in one window. Immutable, so eviction can compare by value. */
  private record Count(long windowStart, long used) {}

  private final Clock clock;
  private final ConcurrentHashMap<String, Count> counts = new ConcurrentHashMap<>();
  private final AtomicLong sweptBefore = new AtomicLong(Long.MIN_VALUE);

  public MemoryRateLimiter(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Future<Decision> consume(String bucket, int cost, long limit) {
    if (cost < 0 || limit < 0) {
      return Future.failedFuture(new IllegalArgumentException("cost and limit must be >= 0"));
    }
    HourWindow window = HourWindow.current(clock);
    evictWindowsBefore(window.startEpochSeconds());
    boolean[] allowed = new boolean[1]; // written by compute's function, which runs on this thread
    Count after = counts.compute(bucket, (key, count) -> {
      Count current = inWindow(count, window);
      if (current.used() + cost > limit) {
        return current;
      }
      allowed[0] = true;
      return new Count(current.windowStart(), current.used() + cost);
    });
    return Future.succeededFuture(decision(allowed[0], limit, after));
  }

  @Override
  public Future<Decision> peek(String bucket, long limit) {
    if (limit < 0) {
      return Future.failedFuture(new IllegalArgumentException("limit must be >= 0"));
    }
    HourWindow window = HourWindow.current(clock);
    Count count = inWindow(counts.get(bucket), window);
    return Future.succeededFuture(decision(count.used() < limit, limit, count));
  }

  @Override
  public Future<Void> refund(String bucket, int cost) {
    if (cost < 0) {
      return Future.failedFuture(new IllegalArgumentException("cost must be >= 0"));
    }
    HourWindow window = HourWindow.current(clock);
    counts.computeIfPresent(bucket, (key, count) -> count.windowStart() == window.startEpochSeconds()
        ? new Count(count.windowStart(), Math.max(0, count.used() - cost)) : count);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> ping() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    counts.clear();
    return Future.succeededFuture();
  }

  /** Number of buckets currently held, for tests of eviction. */
  int trackedBuckets() {
    return counts.size();
  }

  /**
   * A count from an earlier hour starts over. A count from a later hour (the clock stepped back)
   * is kept: counting against it is the conservative choice.
   */
  private static Count inWindow(Count count, HourWindow window) {
    if (count == null || count.windowStart() < window.startEpochSeconds()) {
      return new Count(window.startEpochSeconds(), 0);
    }
    return count;
  }

  private static Decision decision(boolean allowed, long limit, Count count) {
    long remaining = Math.max(0, limit - count.used());
    return new Decision(allowed, limit, remaining, count.windowStart() + HourWindow.SECONDS);
  }

  /** Once per new window, by whichever caller gets there first. */
  private void evictWindowsBefore(long windowStart) {
    long swept = sweptBefore.get();
    if (swept < windowStart && sweptBefore.compareAndSet(swept, windowStart)) {
      // removeIf on a ConcurrentHashMap view removes an entry only if it still holds the value
      // tested, so a count updated into the new window meanwhile survives.
      counts.values().removeIf(count -> count.windowStart() < windowStart);
    }
  }
}

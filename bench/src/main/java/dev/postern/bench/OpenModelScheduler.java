package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.LongConsumer;

/**
 * Open model: request {@code i} is due at {@code t0 + i / rate}, whatever happened to the
 * requests before it. A 1 ms timer fires every request whose slot has come, handing it its
 * intended start; latency is then measured from that slot, not from when the request actually
 * left, so a server stall shows up in the figures instead of silently pausing the load
 * (coordinated omission). A late timer tick catches up by firing all the missed slots at once,
 * each still with its own intended start.
 */
final class OpenModelScheduler {

  private final Vertx vertx;
  private final double ratePerSecond;
  private final long firstSlot;
  private final long endNanos;
  private final LongConsumer fire;
  private final Promise<Void> done = Promise.promise();
  private long next;
  private long timerId = -1;

  /**
   * @param firstSlot the intended start of request 0 (System.nanoTime() scale)
   * @param endNanos no slot at or after this instant is fired
   * @param fire called on the event loop with each request's intended start
   */
  OpenModelScheduler(Vertx vertx, double ratePerSecond, long firstSlot, long endNanos,
      LongConsumer fire) {
    if (ratePerSecond <= 0) {
      throw new IllegalArgumentException("rate must be positive");
    }
    this.vertx = vertx;
    this.ratePerSecond = ratePerSecond;
    this.firstSlot = firstSlot;
    this.endNanos = endNanos;
    this.fire = fire;
  }

  /** The intended start of request {@code index}; computed from t0 so no rounding drift adds up. */
  static long intendedStart(long firstSlot, double ratePerSecond, long index) {
    return firstSlot + (long) Math.floor(index * 1e9 / ratePerSecond);
  }

  /** Starts firing; completes once the last slot before the end has been fired. */
  Future<Void> start() {
    timerId = vertx.setPeriodic(1, id -> fireDue(System.nanoTime()));
    return done.future();
  }

  /** Fires every slot due at {@code now}; returns how many were fired. */
  int fireDue(long now) {
    int fired = 0;
    long slot = intendedStart(firstSlot, ratePerSecond, next);
    while (slot <= now && slot < endNanos) {
      next++;
      fired++;
      fire.accept(slot);
      slot = intendedStart(firstSlot, ratePerSecond, next);
    }
    if (slot >= endNanos) {
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
      }
      done.tryComplete();
    }
    return fired;
  }

  long fired() {
    return next;
  }
}

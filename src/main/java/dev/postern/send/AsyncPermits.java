package dev.postern.send;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * A counting semaphore that never blocks a thread: {@link #acquire()} completes (on the caller's
 * context) once a permit is free. Safe to use from several event loops.
 */
final class AsyncPermits {

  private record Waiter(Context context, Promise<Void> promise) {}

  private final Vertx vertx;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  private int available;

  AsyncPermits(Vertx vertx, int permits) {
    this.vertx = vertx;
    this.available = permits;
  }

  Future<Void> acquire() {
    synchronized (this) {
      if (available > 0) {
        available--;
        return Future.succeededFuture();
      }
      Waiter waiter = new Waiter(vertx.getOrCreateContext(), Promise.promise());
      waiting.add(waiter);
      return waiter.promise().future();
    }
  }

  /** Hands the permit to the oldest waiter, if any. */
  void release() {
    Waiter next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        available++;
        return;
      }
    }
    next.context().runOnContext(v -> next.promise().complete());
  }
}

package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Closed model: {@code concurrency} loops, each sending its next request as soon as the last
 * one answered. This finds peak throughput; its latencies are service times only, because a
 * slow answer also delays the requests behind it (use the open model for latency claims).
 */
final class ClosedModelDriver {

  /** After a transport error, pause a loop briefly so a refused port is not hammered. */
  private static final long BACKOFF_MS = 10;

  private final Vertx vertx;
  private final RequestSender sender;
  private final LatencyRecorder recorder;
  private final int concurrency;
  private final long startNanos;
  private final long endNanos;
  private final Promise<Void> done = Promise.promise();
  private int running;

  ClosedModelDriver(Vertx vertx, RequestSender sender, LatencyRecorder recorder, int concurrency,
      long startNanos, long endNanos) {
    this.vertx = vertx;
    this.sender = sender;
    this.recorder = recorder;
    this.concurrency = concurrency;
    this.startNanos = startNanos;
    this.endNanos = endNanos;
  }

  /**
   * Runs on the caller's event loop; the loops start at {@code startNanos} (the run's t0), so
   * every request of the run falls in [t0, end) and none is lost before the window opens.
   * Completes when every loop has seen the end time.
   */
  Future<Void> start() {
    running = concurrency;
    // Rounded up: a timer never fires early, so no loop starts before t0.
    long delayMs = (startNanos - System.nanoTime() + 999_999) / 1_000_000;
    if (delayMs >= 1) {
      vertx.setTimer(delayMs, id -> startLoops());
    } else {
      startLoops();
    }
    return done.future();
  }

  private void startLoops() {
    for (int i = 0; i < concurrency; i++) {
      next();
    }
  }

  private void next() {
    long start = System.nanoTime();
    if (start >= endNanos) {
      if (--running == 0) {
        done.complete();
      }
      return;
    }
    sender.send().onComplete(result -> {
      if (result.succeeded()) {
        recorder.recordResponse(start, result.result().sentNanos(), System.nanoTime(),
            result.result().status());
        next();
      } else {
        recorder.recordFailure(start, result.cause());
        vertx.setTimer(BACKOFF_MS, id -> next());
      }
    });
  }
}

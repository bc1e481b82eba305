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
  private final long endNanos;
  private final Promise<Void> done = Promise.promise();
  private int running;

  ClosedModelDriver(Vertx vertx, RequestSender sender, LatencyRecorder recorder, int concurrency,
      long endNanos) {
    this.vertx = vertx;
    this.sender = sender;
    this.recorder = recorder;
    this.concurrency = concurrency;
    this.endNanos = endNanos;
  }

  /** Runs on the caller's event loop; completes when every loop has seen the end time. */
  Future<Void> start() {
    running = concurrency;
    for (int i = 0; i < concurrency; i++) {
      next();
    }
    return done.future();
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

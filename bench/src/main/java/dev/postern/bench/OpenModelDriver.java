package dev.postern.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * Sends one request per slot of an {@link OpenModelScheduler} and records each from its
 * intended start. Requests that wait in the connection pool keep that start, so time spent
 * queued behind a slow server counts against the server. Completes when the schedule is over
 * and every request sent has ended (answered, failed or timed out).
 */
final class OpenModelDriver {

  private final Vertx vertx;
  private final RequestSender sender;
  private final LatencyRecorder recorder;
  private final double ratePerSecond;
  private final long firstSlot;
  private final long endNanos;
  private final Promise<Void> done = Promise.promise();
  private boolean scheduleOver;
  private long outstanding;

  OpenModelDriver(Vertx vertx, RequestSender sender, LatencyRecorder recorder,
      double ratePerSecond, long firstSlot, long endNanos) {
    this.vertx = vertx;
    this.sender = sender;
    this.recorder = recorder;
    this.ratePerSecond = ratePerSecond;
    this.firstSlot = firstSlot;
    this.endNanos = endNanos;
  }

  Future<Void> start() {
    var scheduler = new OpenModelScheduler(vertx, ratePerSecond, firstSlot, endNanos, this::fire);
    scheduler.start().onComplete(ignored -> {
      scheduleOver = true;
      finishIfDrained();
    });
    return done.future();
  }

  private void fire(long intendedStart) {
    outstanding++;
    sender.send().onComplete(result -> {
      if (result.succeeded()) {
        recorder.recordResponse(intendedStart, result.result().sentNanos(), System.nanoTime(),
            result.result().status());
      } else {
        recorder.recordFailure(intendedStart, result.cause());
      }
      outstanding--;
      finishIfDrained();
    });
  }

  private void finishIfDrained() {
    if (scheduleOver && outstanding == 0) {
      done.tryComplete();
    }
  }
}

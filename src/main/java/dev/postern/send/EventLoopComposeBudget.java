package dev.postern.send;

/**
 * How much of one request's MIME may be composed on the event loop (issue #15.9). Composing a
 * small message there costs microseconds and saves two hops to the worker; but a batch of 100
 * messages just under the per-message bound would hold the loop for the whole batch. So each
 * request gets a total: a message is composed on the loop only while it is small and fits
 * what is left; the rest of the batch is composed on the {@code postern-cpu} worker.
 * One instance per request, used on the request's event loop only.
 */
final class EventLoopComposeBudget {

  /** Bodies estimated at or above this size always go to the worker. */
  static final long PER_MESSAGE = 64 * 1024;
  /** Total estimated body size one request may compose on the event loop. */
  static final long PER_REQUEST = 256 * 1024;

  private long left = PER_REQUEST;

  /** True (and the estimate is taken from what is left) if this message may use the loop. */
  boolean take(long estimate) {
    if (estimate >= PER_MESSAGE || estimate > left) {
      return false;
    }
    left -= estimate;
    return true;
  }
}

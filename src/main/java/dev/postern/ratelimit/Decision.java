package dev.postern.ratelimit;

import java.time.Clock;

/**
 * The outcome of a consume or peek, carrying what the X-RateLimit-* headers need.
 *
 * @param allowed whether the units were counted (for a peek: whether one more unit fits)
 * @param limit the bucket's limit for this window
 * @param remaining units left in this window after this call, never negative
 * @param resetEpochSeconds when the window ends: the next UTC hour boundary
 */
public record Decision(boolean allowed, long limit, long remaining, long resetEpochSeconds) {

  /** Seconds a refused caller should wait (Retry-After): until the reset, at least 1; 0 if allowed. */
  public long retryAfterSeconds(Clock clock) {
    if (allowed) {
      return 0;
    }
    return Math.max(1, resetEpochSeconds - clock.instant().getEpochSecond());
  }
}

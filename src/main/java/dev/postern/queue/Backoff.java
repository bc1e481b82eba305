package dev.postern.queue;

import java.time.Duration;

/**
 * The one back-off of every leased work queue (SPEC §6): after the n-th failed attempt wait
 * {@code base × factor^(n-1)}, capped at {@code max}, spread by ±20 % jitter so retries from a
 * burst do not arrive together. Delivery doubles ({@code factor} 2); webhooks keep their
 * 5 s, 30 s, 3 min, … schedule ({@code factor} 6).
 */
public record Backoff(Duration base, double factor, Duration max) {

  static final double JITTER = 0.2;

  public Backoff {
    if (factor < 1) {
      throw new IllegalArgumentException("back-off factor must be at least 1");
    }
    max = max.compareTo(base) < 0 ? base : max;
  }

  /** Doubling from {@code base}, capped at {@code max}. */
  public static Backoff doubling(Duration base, Duration max) {
    return new Backoff(base, 2.0, max);
  }

  /**
   * @param attemptsMade failed attempts so far, including the one that just failed (≥ 1)
   * @param random uniform in [0, 1); 0.5 means no jitter
   */
  public Duration delay(int attemptsMade, double random) {
    int exponent = Math.min(Math.max(0, attemptsMade - 1), 62);
    double raw = Math.min(base.toMillis() * Math.pow(factor, exponent), (double) max.toMillis());
    double jittered = raw * (1 - JITTER + 2 * JITTER * random);
    return Duration.ofMillis(Math.max(1, Math.round(jittered)));
  }
}

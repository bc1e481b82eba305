package dev.postern.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * When to try again after a transient failure (SPEC §6): {@code base × 2^(n-1)} after the n-th
 * failed attempt, capped at {@code max}, with ±20 % jitter so retries from a burst spread out;
 * never past the horizon counted from first queueing, and at the horizon the message fails.
 */
public final class RetryPolicy {

  static final double JITTER = 0.2;

  private final Duration base;
  private final Duration max;
  private final Duration horizon;
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1) */
  public RetryPolicy(Duration base, Duration max, Duration horizon, DoubleSupplier random) {
    this.base = base;
    this.max = max.compareTo(base) < 0 ? base : max;
    this.horizon = horizon;
    this.random = random;
  }

  public sealed interface Decision permits Retry, GiveUp {}

  public record Retry(Duration delay) implements Decision {}

  public record GiveUp() implements Decision {}

  /** @param attemptsMade attempts so far, including the one that just failed (≥ 1) */
  public Decision next(int attemptsMade, Instant firstQueuedAt, Instant now) {
    Instant deadline = firstQueuedAt.plus(horizon);
    if (!now.isBefore(deadline)) {
      return new GiveUp();
    }
    int exponent = Math.min(Math.max(0, attemptsMade - 1), 30);
    double raw = Math.min((double) base.toMillis() * (1L << exponent), (double) max.toMillis());
    double jittered = raw * (1 - JITTER + 2 * JITTER * random.getAsDouble());
    long delayMs = Math.max(1, Math.round(jittered));
    // The last try lands on the horizon itself rather than being skipped.
    long remaining = Duration.between(now, deadline).toMillis();
    return new Retry(Duration.ofMillis(Math.max(1, Math.min(delayMs, remaining))));
  }
}

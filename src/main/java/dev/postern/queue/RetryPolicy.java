package dev.postern.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * When to try a message again after a transient failure (SPEC §6): the {@link Backoff}
 * ({@code base × 2^(n-1)}, capped, ±20 % jitter), never past the horizon counted from first
 * queueing; at the horizon the message fails.
 */
public final class RetryPolicy {

  private final Backoff backoff;
  private final Duration horizon;
  private final DoubleSupplier random;

  /** @param random uniform in [0, 1) */
  public RetryPolicy(Duration base, Duration max, Duration horizon, DoubleSupplier random) {
    this.backoff = Backoff.doubling(base, max);
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
    long delayMs = backoff.delay(attemptsMade, random.getAsDouble()).toMillis();
    // The last try lands on the horizon itself rather than being skipped.
    long remaining = Duration.between(now, deadline).toMillis();
    return new Retry(Duration.ofMillis(Math.max(1, Math.min(delayMs, remaining))));
  }
}

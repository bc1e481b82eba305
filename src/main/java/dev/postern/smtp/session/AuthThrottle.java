package dev.postern.smtp.session;

import dev.postern.cache.BoundedCache;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Slows failed AUTH per client address, across that address's connections: the n-th failure
 * within {@code window} is answered after {@code base × 2^(n-1)}, at most {@code max}. The count
 * is forgotten {@code window} after the first failure. A success does not reset it: a valid key
 * must not buy an attacker on the same address a fresh start. Shared by all sessions of a server;
 * thread-safe; bounded in memory (the oldest addresses are forgotten first).
 */
public final class AuthThrottle {

  private final BoundedCache<InetAddress, AtomicInteger> failures;
  private final Duration base;
  private final Duration max;

  public AuthThrottle(Clock clock, Duration base, Duration max, Duration window, int maxAddresses) {
    this.failures = new BoundedCache<>(maxAddresses, window.toMillis(), clock);
    this.base = base;
    this.max = max;
  }

  /** Defaults: 500 ms doubling to 8 s, remembered for 15 minutes, 10 000 addresses. */
  public static AuthThrottle defaults(Clock clock) {
    return new AuthThrottle(clock, Duration.ofMillis(500), Duration.ofSeconds(8),
        Duration.ofMinutes(15), 10_000);
  }

  /** Counts one failure from {@code address}; the delay before answering it. */
  public Duration failed(InetAddress address) {
    int n = failures.getOrPut(address, a -> new AtomicInteger()).incrementAndGet();
    return delayFor(n);
  }

  /** Failures remembered for {@code address}. */
  public int failures(InetAddress address) {
    AtomicInteger count = failures.get(address);
    return count == null ? 0 : count.get();
  }

  Duration delayFor(int failureCount) {
    int shift = Math.min(Math.max(failureCount - 1, 0), 20);
    long millis = base.toMillis() << shift;
    return millis >= max.toMillis() || millis < 0 ? max : Duration.ofMillis(millis);
  }
}
